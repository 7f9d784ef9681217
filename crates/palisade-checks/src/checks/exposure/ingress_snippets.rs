//! PAL-K8S-072 — ingress-nginx configuration snippets.
//!
//! **What**: an Ingress with the annotations `nginx.ingress.kubernetes.io/server-snippet`,
//! `configuration-snippet`, `auth-snippet` or `stream-snippet`.
//! **Why**: snippets are raw nginx configuration run by the controller, which can read the
//! controller's service account token and every TLS secret it serves (CVE-2021-25742,
//! CVE-2025-1974 family); whoever can create Ingresses gets the controller's privileges.
//! **Example** (fires): `nginx.ingress.kubernetes.io/configuration-snippet: "..."`.
//! **Remediation**: remove the snippet and use dedicated annotations; run the controller with
//! `allow-snippet-annotations: false`.
//! **References**: NSA/CISA "Network separation and hardening"; ATT&CK T1190, T1552.007.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct IngressSnippets;

const SNIPPETS: &[&str] = &[
    "server-snippet",
    "configuration-snippet",
    "auth-snippet",
    "stream-snippet",
];

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-072",
    slug: "ingress_snippets",
    title: "Ingress uses nginx configuration snippets",
    severity: Severity::High,
    category: Category::Exposure,
    frameworks: Frameworks { nsa: &["Network separation and hardening"], mitre: &["T1190", "T1552.007"], ..Frameworks::NONE },
    rationale: "Snippet annotations inject raw configuration into the ingress controller, which holds cluster-wide secrets.",
    remediation: "Remove the snippet annotation and disable snippets in the controller (allow-snippet-annotations: false).",
    patch: "metadata:\n  annotations:\n    nginx.ingress.kubernetes.io/configuration-snippet: null\n",
    overrides: &[],
    references: &["https://github.com/kubernetes/ingress-nginx/issues/7837"],
};

impl Check for IngressSnippets {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if o.kind != "Ingress" {
            return;
        }
        for s in SNIPPETS {
            let key = format!("nginx.ingress.kubernetes.io/{s}");
            if o.annotation(&key).is_some() {
                out.push(
                    Violation::new(
                        format!("annotation {key} injects nginx configuration"),
                        format!("/metadata/annotations/{}", key.replace('/', "~1")),
                    )
                    .patch_at(""),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_snippets() {
        let f = run(&IngressSnippets, "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n  annotations:\n    nginx.ingress.kubernetes.io/configuration-snippet: |\n      more_set_headers \"X: y\";\n");
        assert_eq!(f[0].location.line, 6);
    }

    #[test]
    fn does_not_fire_on_plain_annotations() {
        assert!(run(&IngressSnippets, "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /}\n").is_empty());
    }
}
