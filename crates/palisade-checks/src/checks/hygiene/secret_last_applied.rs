//! PAL-K8S-079 — Secret values copied into the last-applied annotation.
//!
//! **What**: a Secret carrying `kubectl.kubernetes.io/last-applied-configuration` (left by
//! `kubectl apply`) that contains its `data` or `stringData`.
//! **Why**: the annotation is a second, unencrypted copy of the secret values, returned by
//! anything that can read the object's metadata (many tools and roles only mean to list
//! metadata).
//! **Example** (fires): a Secret created with `kubectl apply` from a file.
//! **Remediation**: create secrets with `kubectl create secret` or server-side apply, or an
//! external secret operator; re-create the Secret without the annotation.
//! **References**: NSA/CISA "Secrets"; ATT&CK T1552.007.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct SecretLastApplied;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-079",
    slug: "secret_last_applied",
    title: "Secret values stored in the last-applied annotation",
    severity: Severity::Medium,
    category: Category::Hygiene,
    frameworks: Frameworks { nsa: &["Secrets"], mitre: &["T1552.007"], ..Frameworks::NONE },
    rationale: "kubectl apply copies secret values into an annotation readable with the object's metadata.",
    remediation: "Re-create the Secret without kubectl.kubernetes.io/last-applied-configuration (server-side apply or kubectl create).",
    patch: "metadata:\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: null\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/security/secrets-good-practices/"],
};

impl Check for SecretLastApplied {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if o.kind != "Secret" {
            return;
        }
        let Some(applied) = o.annotation("kubectl.kubernetes.io/last-applied-configuration") else {
            return;
        };
        let copied = serde_json::from_str::<serde_json::Value>(applied)
            .map(|v| {
                ["data", "stringData"].iter().any(|k| {
                    v.get(*k)
                        .and_then(|d| d.as_object())
                        .is_some_and(|d| !d.is_empty())
                })
            })
            .unwrap_or(false);
        if copied {
            out.push(
                Violation::new(
                    "the last-applied-configuration annotation holds the secret's values",
                    "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
                )
                .patch_at(""),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_when_values_are_copied() {
        let f = run(&SecretLastApplied, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: a\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"apiVersion\":\"v1\",\"data\":{\"pw\":\"aHVudGVyMg==\"},\"kind\":\"Secret\"}'\ndata: {pw: aHVudGVyMg==}\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].location.line, 7);
    }

    #[test]
    fn does_not_fire_without_the_annotation() {
        assert!(run(&SecretLastApplied, "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: a}\ndata: {pw: aHVudGVyMg==}\n").is_empty());
    }
}
