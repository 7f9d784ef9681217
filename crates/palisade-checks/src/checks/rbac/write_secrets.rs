//! PAL-K8S-065 — RBAC rule allows writing secrets.
//!
//! **What**: a rule granting create, update or patch on `secrets`.
//! **Why**: writing secrets replaces credentials used by workloads (e.g. a registry pull secret or TLS key) and can create service account token secrets.
//! **Example** (fires): `{apiGroups: [""], resources: [secrets], verbs: [update]}`.
//! **Remediation**: Limit secret writes to the controllers that own them, with resourceNames.
//! **References**: CIS 5.1.2; NSA/CISA "Authentication and authorization"; ATT&CK T1098.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct WriteSecrets;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-065",
    slug: "write_secrets",
    title: "RBAC rule allows writing secrets",
    severity: Severity::Medium,
    category: Category::Rbac,
    frameworks: Frameworks { cis: &["5.1.2"], nsa: &["Authentication and authorization: RBAC"], mitre: &["T1098"], ..Frameworks::NONE },
    rationale: "Write access to secrets lets a subject replace credentials that workloads trust.",
    remediation: "Limit secret writes to the controllers that own them, with resourceNames.",
    patch: "rules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  resourceNames: [app-tls]\n  verbs: [update]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for WriteSecrets {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[("", "secrets")],
            &["create", "update", "patch"],
            "can write secrets",
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
            &WriteSecrets,
            &super::super::role(
                "ClusterRole",
                "- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [update]\n",
            ),
        );
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
        assert_eq!(f[0].location.line, 7);
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &WriteSecrets,
            &super::super::role(
                "Role",
                "- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [update]\n"
            )
        )
        .is_empty());
    }
}
