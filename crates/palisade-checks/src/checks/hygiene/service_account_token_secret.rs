//! PAL-K8S-056 — Long-lived service account token Secret.
//!
//! **What**: a Secret of type `kubernetes.io/service-account-token`.
//! **Why**: such tokens never expire and are not bound to a pod: once leaked they work until
//! the Secret is deleted. Since Kubernetes 1.24 pods get short-lived projected tokens instead.
//! **Example** (fires): `kind: Secret`, `type: kubernetes.io/service-account-token`.
//! **Remediation**: delete it; use `kubectl create token` or the TokenRequest API.
//! **References**: CIS 5.1.6; NSA/CISA "Protecting Pod service account tokens"; ATT&CK T1528.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct ServiceAccountTokenSecret;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-056",
    slug: "service_account_token_secret",
    title: "Long-lived service account token Secret",
    severity: Severity::Medium,
    category: Category::Hygiene,
    frameworks: Frameworks {
        cis: &["5.1.6"],
        nsa: &["Protecting Pod service account tokens"],
        mitre: &["T1528"],
        ..Frameworks::NONE
    },
    rationale: "Legacy service account token Secrets never expire and are not bound to a pod.",
    remediation: "Delete the Secret and request short-lived tokens through the TokenRequest API.",
    patch: "# kubectl create token <service-account> --duration=1h\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token"],
};

impl Check for ServiceAccountTokenSecret {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if o.kind == "Secret"
            && o.pointer("/type").and_then(|t| t.as_str())
                == Some("kubernetes.io/service-account-token")
        {
            let sa = o
                .annotation("kubernetes.io/service-account.name")
                .unwrap_or("?");
            out.push(
                Violation::new(
                    format!("Secret holds a non-expiring token for service account {sa:?}"),
                    "/type",
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
    fn fires_on_token_secrets() {
        assert_eq!(run(&ServiceAccountTokenSecret, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: t\n  namespace: a\n  annotations: {kubernetes.io/service-account.name: ci}\ntype: kubernetes.io/service-account-token\n").len(), 1);
    }

    #[test]
    fn does_not_fire_on_opaque_secrets() {
        assert!(run(
            &ServiceAccountTokenSecret,
            "apiVersion: v1\nkind: Secret\nmetadata: {name: t, namespace: a}\ntype: Opaque\n"
        )
        .is_empty());
    }
}
