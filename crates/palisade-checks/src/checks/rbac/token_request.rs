//! PAL-K8S-026 — RBAC rule allows requesting service account tokens.
//!
//! **What**: a rule granting `create` on `serviceaccounts/token`.
//! **Why**: the subject can mint tokens for any service account the rule reaches and act with their permissions.
//! **Example** (fires): `{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}`.
//! **Remediation**: Remove create on serviceaccounts/token, or restrict it with resourceNames.
//! **References**: CIS 5.1.13; NSA/CISA "Authentication and authorization"; ATT&CK T1528.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct TokenRequest;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-026",
    slug: "token_request",
    title: "RBAC rule allows requesting service account tokens",
    severity: Severity::High,
    category: Category::Rbac,
    frameworks: Frameworks {
        cis: &["5.1.13"],
        nsa: &["Authentication and authorization: RBAC"],
        mitre: &["T1528"],
        ..Frameworks::NONE
    },
    rationale: "Creating service account tokens lets the subject act as those service accounts.",
    remediation: "Remove create on serviceaccounts/token, or restrict it with resourceNames.",
    patch: "rules:\n- apiGroups: [\"\"]\n  resources: [serviceaccounts]\n  verbs: [get]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for TokenRequest {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[("", "serviceaccounts/token")],
            &["create"],
            "can create service account tokens",
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
            &TokenRequest,
            &super::super::role(
                "ClusterRole",
                "- apiGroups: [\"\"]\n  resources: [serviceaccounts/token]\n  verbs: [create]\n",
            ),
        );
        assert!(!f.is_empty());
        assert_eq!(f[0].location.line, 7, "{:?}", messages(&f));
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &TokenRequest,
            &super::super::role(
                "Role",
                "- apiGroups: [\"\"]\n  resources: [serviceaccounts]\n  verbs: [get, list]\n"
            )
        )
        .is_empty());
    }
}
