//! PAL-K8S-061 — RBAC rule allows changing roles or bindings.
//!
//! **What**: a rule granting create, update, patch or delete on roles, rolebindings, clusterroles or clusterrolebindings.
//! **Why**: managing RBAC objects is one verb (`bind`/`escalate`) or one aggregated ClusterRole away from granting oneself anything.
//! **Example** (fires): `{apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}`.
//! **Remediation**: Manage RBAC objects through reviewed GitOps changes, not through workload identities.
//! **References**: CIS 5.1.8; NSA/CISA "Authentication and authorization"; ATT&CK T1098.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct WriteRbac;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-061",
    slug: "write_rbac",
    title: "RBAC rule allows changing roles or bindings",
    severity: Severity::High,
    category: Category::Rbac,
    frameworks: Frameworks { cis: &["5.1.8"], nsa: &["Authentication and authorization: RBAC"], mitre: &["T1098"], ..Frameworks::NONE },
    rationale: "Write access to RBAC objects is a privilege escalation path.",
    remediation: "Manage RBAC objects through reviewed GitOps changes, not through workload identities.",
    patch: "rules:\n- apiGroups: [rbac.authorization.k8s.io]\n  resources: [rolebindings]\n  verbs: [get, list]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for WriteRbac {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[
                ("rbac.authorization.k8s.io", "roles"),
                ("rbac.authorization.k8s.io", "rolebindings"),
                ("rbac.authorization.k8s.io", "clusterroles"),
                ("rbac.authorization.k8s.io", "clusterrolebindings"),
            ],
            &["create", "update", "patch", "delete"],
            "can change RBAC objects",
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
        let f = run(&WriteRbac, &super::super::role("ClusterRole", "- apiGroups: [rbac.authorization.k8s.io]\n  resources: [rolebindings]\n  verbs: [create]\n"));
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
        assert_eq!(f[0].location.line, 7);
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(&WriteRbac, &super::super::role("Role", "- apiGroups: [rbac.authorization.k8s.io]\n  resources: [rolebindings]\n  verbs: [get, list]\n")).is_empty());
    }
}
