//! PAL-K8S-021 — RBAC rule allows reading secrets.
//!
//! **What**: a rule granting `get`, `list` or `watch` on `secrets` (core group).
//! **Why**: secrets hold credentials, tokens and keys; `list` and `watch` return every secret's value in the namespace (or cluster).
//! **Example** (fires): `{apiGroups: [""], resources: [secrets], verbs: [list]}`.
//! **Remediation**: Remove get/list/watch on secrets, or restrict the rule with resourceNames to the one secret needed.
//! **References**: CIS 5.1.2; NSA/CISA "Authentication and authorization"; ATT&CK T1552.007.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct ReadSecrets;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-021",
    slug: "read_secrets",
    title: "RBAC rule allows reading secrets",
    severity: Severity::High,
    category: Category::Rbac,
    frameworks: Frameworks { cis: &["5.1.2"], nsa: &["Authentication and authorization: RBAC"], mitre: &["T1552.007"], ..Frameworks::NONE },
    rationale: "Read access to secrets exposes every credential stored in them.",
    remediation: "Remove get/list/watch on secrets, or restrict the rule with resourceNames to the one secret needed.",
    patch: "rules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  resourceNames: [app-config]\n  verbs: [get]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for ReadSecrets {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[("", "secrets")],
            &["get", "list", "watch"],
            "can read secrets",
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
            &ReadSecrets,
            &super::super::role(
                "ClusterRole",
                "- apiGroups: [\"\"]\n  resources: [secrets, configmaps]\n  verbs: [list]\n",
            ),
        );
        assert!(!f.is_empty());
        assert_eq!(f[0].location.line, 7, "{:?}", messages(&f));
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &ReadSecrets,
            &super::super::role(
                "Role",
                "- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get, list]\n"
            )
        )
        .is_empty());
    }
}
