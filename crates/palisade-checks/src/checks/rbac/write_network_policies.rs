//! PAL-K8S-066 — RBAC rule allows changing NetworkPolicies.
//!
//! **What**: a rule granting update, patch, delete or deletecollection on `networkpolicies`.
//! **Why**: removing or widening a NetworkPolicy opens the namespace to lateral movement (impairing a defense).
//! **Example** (fires): `{apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [delete]}`.
//! **Remediation**: Manage NetworkPolicies through reviewed changes, not workload identities.
//! **References**: NSA/CISA "Authentication and authorization"; ATT&CK T1562.001.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct WriteNetworkPolicies;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-066",
    slug: "write_network_policies",
    title: "RBAC rule allows changing NetworkPolicies",
    severity: Severity::Medium,
    category: Category::Rbac,
    frameworks: Frameworks { nsa: &["Authentication and authorization: RBAC"], mitre: &["T1562.001"], ..Frameworks::NONE },
    rationale: "Changing NetworkPolicies disables network segmentation.",
    remediation: "Manage NetworkPolicies through reviewed changes, not workload identities.",
    patch: "rules:\n- apiGroups: [networking.k8s.io]\n  resources: [networkpolicies]\n  verbs: [get, list]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for WriteNetworkPolicies {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[("networking.k8s.io", "networkpolicies")],
            &["update", "patch", "delete", "deletecollection"],
            "can change NetworkPolicies",
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
        let f = run(&WriteNetworkPolicies, &super::super::role("ClusterRole", "- apiGroups: [networking.k8s.io]\n  resources: [networkpolicies]\n  verbs: [delete]\n"));
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
        assert_eq!(f[0].location.line, 7);
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(&WriteNetworkPolicies, &super::super::role("Role", "- apiGroups: [networking.k8s.io]\n  resources: [networkpolicies]\n  verbs: [list]\n")).is_empty());
    }
}
