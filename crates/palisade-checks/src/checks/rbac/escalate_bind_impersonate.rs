//! PAL-K8S-024 — RBAC rule allows escalate, bind or impersonate.
//!
//! **What**: a rule granting `escalate` or `bind` on roles/clusterroles, or `impersonate` on users, groups, service accounts or uids.
//! **Why**: each of these verbs lets the subject obtain permissions it does not have: writing a role with more rights, binding a powerful role, or acting as another identity.
//! **Example** (fires): `{apiGroups: [""], resources: [users], verbs: [impersonate]}`.
//! **Remediation**: Remove these verbs; keep them to cluster administrators.
//! **References**: CIS 5.1.8; NSA/CISA "Authentication and authorization"; ATT&CK T1078, T1098.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct EscalateBindImpersonate;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-024",
    slug: "escalate_bind_impersonate",
    title: "RBAC rule allows escalate, bind or impersonate",
    severity: Severity::Critical,
    category: Category::Rbac,
    frameworks: Frameworks { cis: &["5.1.8"], nsa: &["Authentication and authorization: RBAC"], mitre: &["T1078", "T1098"], ..Frameworks::NONE },
    rationale: "escalate, bind and impersonate bypass RBAC's protection against privilege escalation.",
    remediation: "Remove these verbs; keep them to cluster administrators.",
    patch: "rules:\n- apiGroups: [rbac.authorization.k8s.io]\n  resources: [roles]\n  verbs: [get, list]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for EscalateBindImpersonate {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[
                ("rbac.authorization.k8s.io", "roles"),
                ("rbac.authorization.k8s.io", "clusterroles"),
            ],
            &["escalate", "bind"],
            "can escalate or bind roles",
            out,
        );
        super::rule_violations(
            o,
            &[
                ("", "users"),
                ("", "groups"),
                ("", "serviceaccounts"),
                ("authentication.k8s.io", "uids"),
                ("authentication.k8s.io", "userextras/*"),
            ],
            &["impersonate"],
            "can impersonate",
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
        let f = run(&EscalateBindImpersonate, &super::super::role("ClusterRole", "- apiGroups: [\"\"]\n  resources: [serviceaccounts]\n  verbs: [impersonate]\n- apiGroups: [rbac.authorization.k8s.io]\n  resources: [clusterroles]\n  verbs: [bind]\n"));
        assert!(!f.is_empty());
        assert_eq!(f[0].location.line, 7, "{:?}", messages(&f));
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(&EscalateBindImpersonate, &super::super::role("Role", "- apiGroups: [rbac.authorization.k8s.io]\n  resources: [roles]\n  verbs: [get, list, create]\n")).is_empty());
    }
}
