//! PAL-K8S-052 — Admission webhook fails open.
//!
//! **What**: a webhook of a ValidatingWebhookConfiguration or MutatingWebhookConfiguration
//! with `failurePolicy: Ignore`.
//! **Why**: when the webhook is down, slow or made unreachable, requests are admitted
//! unchecked: an attacker only has to overload or block it to bypass the policy.
//! **Example** (fires): `webhooks: [{name: policy.example.com, failurePolicy: Ignore}]`.
//! **Remediation**: use `failurePolicy: Fail` (the default) for security webhooks, with a
//! namespaceSelector that excludes kube-system so the cluster can recover.
//! **References**: NSA/CISA "Pod security enforcement"; ATT&CK T1562.001.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct WebhookFailurePolicy;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-052",
    slug: "webhook_failure_policy",
    title: "Admission webhook fails open",
    severity: Severity::Medium,
    category: Category::Admission,
    frameworks: Frameworks { nsa: &["Pod security enforcement"], mitre: &["T1562.001"], ..Frameworks::NONE },
    rationale: "With failurePolicy Ignore, making the webhook unavailable is enough to bypass it.",
    remediation: "Set failurePolicy: Fail and exclude system namespaces with a namespaceSelector.",
    patch: "failurePolicy: Fail\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy"],
};

impl Check for WebhookFailurePolicy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if !matches!(
            o.kind.as_str(),
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration"
        ) {
            return;
        }
        for (i, w) in o
            .pointer("/webhooks")
            .and_then(|w| w.as_array())
            .into_iter()
            .flatten()
            .enumerate()
        {
            if w.get("failurePolicy").and_then(|f| f.as_str()) == Some("Ignore") {
                let name = w.get("name").and_then(|n| n.as_str()).unwrap_or("?");
                out.push(Violation::new(
                    format!("webhook {name:?} has failurePolicy Ignore"),
                    format!("/webhooks/{i}/failurePolicy"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    const HOOK: &str = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: policy}\nwebhooks:\n- name: policy.example.com\n  failurePolicy: ";

    #[test]
    fn fires_on_ignore() {
        let f = run(&WebhookFailurePolicy, &format!("{HOOK}Ignore\n"));
        assert_eq!(f[0].location.line, 6);
    }

    #[test]
    fn does_not_fire_on_fail() {
        assert!(run(&WebhookFailurePolicy, &format!("{HOOK}Fail\n")).is_empty());
    }
}
