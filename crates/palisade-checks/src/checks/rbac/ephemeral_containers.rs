//! PAL-K8S-064 — RBAC rule allows adding ephemeral containers.
//!
//! **What**: a rule granting update or patch on `pods/ephemeralcontainers`.
//! **Why**: an ephemeral container joins a running pod (its namespaces, volumes and service account): `kubectl debug` is exec by another name.
//! **Example** (fires): `{apiGroups: [""], resources: [pods/ephemeralcontainers], verbs: [patch]}`.
//! **Remediation**: Restrict pods/ephemeralcontainers to a break-glass role.
//! **References**: CIS 5.1.4; NSA/CISA "Authentication and authorization"; ATT&CK T1609.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct EphemeralContainers;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-064",
    slug: "ephemeral_containers",
    title: "RBAC rule allows adding ephemeral containers",
    severity: Severity::High,
    category: Category::Rbac,
    frameworks: Frameworks {
        cis: &["5.1.4"],
        nsa: &["Authentication and authorization: RBAC"],
        mitre: &["T1609"],
        ..Frameworks::NONE
    },
    rationale: "Adding ephemeral containers gives command execution inside running pods.",
    remediation: "Restrict pods/ephemeralcontainers to a break-glass role.",
    patch: "rules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for EphemeralContainers {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[("", "pods/ephemeralcontainers")],
            &["update", "patch"],
            "can add ephemeral containers to pods",
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
            &EphemeralContainers,
            &super::super::role(
                "ClusterRole",
                "- apiGroups: [\"\"]\n  resources: [pods/ephemeralcontainers]\n  verbs: [patch]\n",
            ),
        );
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
        assert_eq!(f[0].location.line, 7);
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &EphemeralContainers,
            &super::super::role(
                "Role",
                "- apiGroups: [\"\"]\n  resources: [pods/log]\n  verbs: [get]\n"
            )
        )
        .is_empty());
    }
}
