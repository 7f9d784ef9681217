//! PAL-K8S-022 — RBAC rule allows exec or attach into pods.
//!
//! **What**: a rule granting `create` or `get` on `pods/exec` or `pods/attach` (WebSocket clients use `get`).
//! **Why**: exec runs arbitrary commands in any pod the rule reaches, with that pod's identity and secrets.
//! **Example** (fires): `{apiGroups: [""], resources: [pods/exec], verbs: [create]}`.
//! **Remediation**: Remove pods/exec and pods/attach; grant them to people through a break-glass role only.
//! **References**: CIS 5.1.4; NSA/CISA "Authentication and authorization"; ATT&CK T1609.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct PodExecAttach;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-022",
    slug: "pod_exec_attach",
    title: "RBAC rule allows exec or attach into pods",
    severity: Severity::High,
    category: Category::Rbac,
    frameworks: Frameworks {
        cis: &["5.1.4"],
        nsa: &["Authentication and authorization: RBAC"],
        mitre: &["T1609"],
        ..Frameworks::NONE
    },
    rationale: "pods/exec and pods/attach let the subject run commands inside running containers.",
    remediation:
        "Remove pods/exec and pods/attach; grant them to people through a break-glass role only.",
    patch: "rules:\n- apiGroups: [\"\"]\n  resources: [pods, pods/log]\n  verbs: [get, list]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for PodExecAttach {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[("", "pods/exec"), ("", "pods/attach")],
            &["create", "get"],
            "can exec or attach into pods",
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
            &PodExecAttach,
            &super::super::role(
                "ClusterRole",
                "- apiGroups: [\"\"]\n  resources: [pods/*]\n  verbs: [create]\n",
            ),
        );
        assert!(!f.is_empty());
        assert_eq!(f[0].location.line, 7, "{:?}", messages(&f));
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &PodExecAttach,
            &super::super::role(
                "Role",
                "- apiGroups: [\"\"]\n  resources: [pods, pods/log]\n  verbs: [get]\n"
            )
        )
        .is_empty());
    }
}
