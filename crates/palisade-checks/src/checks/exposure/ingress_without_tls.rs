//! PAL-K8S-035 — Ingress without TLS.
//!
//! **What**: an Ingress with rules but no `spec.tls`.
//! **Why**: traffic (credentials, session cookies) crosses the network in clear text.
//! **Example** (fires): an Ingress with `rules` and no `tls`.
//! **Remediation**: add a `tls` section with a certificate secret (e.g. from cert-manager).
//! **References**: NSA/CISA "Network separation and hardening"; ATT&CK T1557, T1040.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct IngressWithoutTls;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-035",
    slug: "ingress_without_tls",
    title: "Ingress without TLS",
    severity: Severity::Medium,
    category: Category::Exposure,
    frameworks: Frameworks {
        nsa: &["Network separation and hardening"],
        mitre: &["T1557", "T1040"],
        ..Frameworks::NONE
    },
    rationale: "Without TLS, requests and credentials to the service travel unencrypted.",
    remediation: "Add spec.tls with the hosts and a certificate secret.",
    patch: "spec:\n  tls:\n  - hosts: [app.example.com]\n    secretName: app-tls\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"],
};

impl Check for IngressWithoutTls {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if o.kind != "Ingress"
            || !o.group().starts_with("networking.k8s.io") && o.group() != "extensions"
        {
            return;
        }
        let has_tls = o
            .pointer("/spec/tls")
            .and_then(|t| t.as_array())
            .is_some_and(|t| !t.is_empty());
        if !has_tls {
            out.push(
                Violation::new("Ingress serves plain HTTP (no spec.tls)", "/spec").patch_at(""),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    const ING: &str = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules: [{host: a.example.com}]\n";

    #[test]
    fn fires_without_tls() {
        assert_eq!(run(&IngressWithoutTls, ING).len(), 1);
    }

    #[test]
    fn does_not_fire_with_tls() {
        assert!(run(
            &IngressWithoutTls,
            &format!("{ING}  tls: [{{hosts: [a.example.com], secretName: t}}]\n")
        )
        .is_empty());
    }
}
