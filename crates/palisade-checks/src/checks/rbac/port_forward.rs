//! PAL-K8S-063 — RBAC rule allows port-forwarding to pods.
//!
//! **What**: a rule granting `create` (or `get`) on `pods/portforward`.
//! **Why**: port-forward tunnels into any pod's ports from outside the cluster, bypassing NetworkPolicies and Ingress authentication.
//! **Example** (fires): `{apiGroups: [""], resources: [pods/portforward], verbs: [create]}`.
//! **Remediation**: Remove pods/portforward from workload and broad roles.
//! **References**: NSA/CISA "Authentication and authorization"; ATT&CK T1090.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct PortForward;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-063",
    slug: "port_forward",
    title: "RBAC rule allows port-forwarding to pods",
    severity: Severity::Medium,
    category: Category::Rbac,
    frameworks: Frameworks {
        nsa: &["Authentication and authorization: RBAC"],
        mitre: &["T1090"],
        ..Frameworks::NONE
    },
    rationale:
        "Port-forwarding bypasses network policies and exposes internal services to the caller.",
    remediation: "Remove pods/portforward from workload and broad roles.",
    patch: "rules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, list]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for PortForward {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[("", "pods/portforward")],
            &["create", "get"],
            "can port-forward to pods",
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
            &PortForward,
            &super::super::role(
                "ClusterRole",
                "- apiGroups: [\"\"]\n  resources: [pods/portforward]\n  verbs: [create]\n",
            ),
        );
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
        assert_eq!(f[0].location.line, 7);
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &PortForward,
            &super::super::role(
                "Role",
                "- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get]\n"
            )
        )
        .is_empty());
    }
}
