//! PAL-K8S-058 — RBAC rule allows creating PersistentVolumes.
//!
//! **What**: a rule granting `create` on `persistentvolumes`.
//! **Why**: a PersistentVolume can be a hostPath: whoever creates one and a claim on it mounts any directory of a node.
//! **Example** (fires): `{apiGroups: [""], resources: [persistentvolumes], verbs: [create]}`.
//! **Remediation**: Let storage classes provision volumes; keep PersistentVolume creation to administrators.
//! **References**: CIS 5.1.9; NSA/CISA "Authentication and authorization"; ATT&CK T1611.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct CreatePersistentVolumes;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-058",
    slug: "create_persistent_volumes",
    title: "RBAC rule allows creating PersistentVolumes",
    severity: Severity::High,
    category: Category::Rbac,
    frameworks: Frameworks {
        cis: &["5.1.9"],
        nsa: &["Authentication and authorization: RBAC"],
        mitre: &["T1611"],
        ..Frameworks::NONE
    },
    rationale:
        "Creating PersistentVolumes allows hostPath volumes that bypass pod-level restrictions.",
    remediation:
        "Let storage classes provision volumes; keep PersistentVolume creation to administrators.",
    patch:
        "rules:\n- apiGroups: [\"\"]\n  resources: [persistentvolumeclaims]\n  verbs: [create]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for CreatePersistentVolumes {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[("", "persistentvolumes")],
            &["create"],
            "can create PersistentVolumes",
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires() {
        let f = run(
            &CreatePersistentVolumes,
            &super::super::role(
                "ClusterRole",
                "- apiGroups: [\"\"]\n  resources: [persistentvolumes]\n  verbs: [create]\n",
            ),
        );
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
        assert_eq!(f[0].location.line, 7);
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &CreatePersistentVolumes,
            &super::super::role(
                "Role",
                "- apiGroups: [\"\"]\n  resources: [persistentvolumeclaims]\n  verbs: [create]\n"
            )
        )
        .is_empty());
    }
}
