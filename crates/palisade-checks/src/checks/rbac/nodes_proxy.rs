//! PAL-K8S-025 — RBAC rule allows nodes/proxy.
//!
//! **What**: a rule granting any verb on `nodes/proxy`.
//! **Why**: the node proxy reaches the kubelet API directly: exec into any pod on the node, bypassing audit logging and admission.
//! **Example** (fires): `{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}`.
//! **Remediation**: Remove nodes/proxy; monitoring agents can use nodes/metrics or nodes/stats instead.
//! **References**: CIS 5.1.10; NSA/CISA "Authentication and authorization"; ATT&CK T1609.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct NodesProxy;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-025",
    slug: "nodes_proxy",
    title: "RBAC rule allows nodes/proxy",
    severity: Severity::High,
    category: Category::Rbac,
    frameworks: Frameworks { cis: &["5.1.10"], nsa: &["Authentication and authorization: RBAC"], mitre: &["T1609"], ..Frameworks::NONE },
    rationale: "nodes/proxy gives direct kubelet API access, which includes running commands in every pod of the node.",
    remediation: "Remove nodes/proxy; monitoring agents can use nodes/metrics or nodes/stats instead.",
    patch: "rules:\n- apiGroups: [\"\"]\n  resources: [nodes/metrics, nodes/stats]\n  verbs: [get]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for NodesProxy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[("", "nodes/proxy")],
            &[
                "get",
                "create",
                "update",
                "patch",
                "delete",
                "list",
                "watch",
                "deletecollection",
            ],
            "can use the kubelet API through nodes/proxy",
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
            &NodesProxy,
            &super::super::role(
                "ClusterRole",
                "- apiGroups: [\"\"]\n  resources: [nodes/proxy]\n  verbs: [get]\n",
            ),
        );
        assert!(!f.is_empty());
        assert_eq!(f[0].location.line, 7, "{:?}", messages(&f));
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &NodesProxy,
            &super::super::role(
                "Role",
                "- apiGroups: [\"\"]\n  resources: [nodes/metrics]\n  verbs: [get]\n"
            )
        )
        .is_empty());
    }
}
