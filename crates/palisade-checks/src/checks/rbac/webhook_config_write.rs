//! PAL-K8S-027 — RBAC rule allows changing admission webhooks.
//!
//! **What**: a rule granting create, update, patch or delete on validating or mutating webhook configurations.
//! **Why**: admission webhooks enforce policy and can see or change every object: whoever edits them can switch policy off or intercept secrets.
//! **Example** (fires): `{apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [patch]}`.
//! **Remediation**: Keep write access to webhook configurations to cluster administrators.
//! **References**: CIS 5.1.12; NSA/CISA "Authentication and authorization"; ATT&CK T1562.001.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct WebhookConfigWrite;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-027",
    slug: "webhook_config_write",
    title: "RBAC rule allows changing admission webhooks",
    severity: Severity::High,
    category: Category::Rbac,
    frameworks: Frameworks { cis: &["5.1.12"], nsa: &["Authentication and authorization: RBAC"], mitre: &["T1562.001"], ..Frameworks::NONE },
    rationale: "Editing webhook configurations disables or subverts admission control.",
    remediation: "Keep write access to webhook configurations to cluster administrators.",
    patch: "rules:\n- apiGroups: [admissionregistration.k8s.io]\n  resources: [validatingwebhookconfigurations]\n  verbs: [get, list]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for WebhookConfigWrite {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[
                (
                    "admissionregistration.k8s.io",
                    "validatingwebhookconfigurations",
                ),
                (
                    "admissionregistration.k8s.io",
                    "mutatingwebhookconfigurations",
                ),
            ],
            &["create", "update", "patch", "delete", "deletecollection"],
            "can change admission webhooks",
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
        let f = run(&WebhookConfigWrite, &super::super::role("ClusterRole", "- apiGroups: [admissionregistration.k8s.io]\n  resources: [mutatingwebhookconfigurations]\n  verbs: [patch]\n"));
        assert!(!f.is_empty());
        assert_eq!(f[0].location.line, 7, "{:?}", messages(&f));
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(&WebhookConfigWrite, &super::super::role("Role", "- apiGroups: [admissionregistration.k8s.io]\n  resources: [mutatingwebhookconfigurations]\n  verbs: [get, list]\n")).is_empty());
    }
}
