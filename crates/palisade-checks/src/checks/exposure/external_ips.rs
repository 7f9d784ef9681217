//! PAL-K8S-034 — Service with externalIPs.
//!
//! **What**: a Service that sets `spec.externalIPs`.
//! **Why**: whoever can set externalIPs can intercept traffic to those addresses from inside
//! the cluster (CVE-2020-8554, never fixed in Kubernetes itself).
//! **Example** (fires): `spec: {externalIPs: [203.0.113.10]}`.
//! **Remediation**: use a LoadBalancer; block externalIPs with admission policy.
//! **References**: NSA/CISA "Network separation and hardening"; ATT&CK T1557.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct ExternalIps;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-034",
    slug: "external_ips",
    title: "Service sets externalIPs",
    severity: Severity::Medium,
    category: Category::Exposure,
    frameworks: Frameworks {
        nsa: &["Network separation and hardening"],
        mitre: &["T1557"],
        ..Frameworks::NONE
    },
    rationale: "externalIPs can redirect cluster traffic for arbitrary addresses (CVE-2020-8554).",
    remediation: "Remove spec.externalIPs and use a LoadBalancer Service.",
    patch: "spec:\n  type: LoadBalancer\n",
    overrides: &[],
    references: &["https://github.com/kubernetes/kubernetes/issues/97076"],
};

impl Check for ExternalIps {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if super::service_type(o).is_some()
            && o.pointer("/spec/externalIPs")
                .and_then(|e| e.as_array())
                .is_some_and(|a| !a.is_empty())
        {
            out.push(
                Violation::new("Service sets externalIPs", "/spec/externalIPs").patch_at("/spec"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_external_ips() {
        assert_eq!(
            run(
                &ExternalIps,
                &super::super::service("a", "  externalIPs: [203.0.113.10]\n")
            )
            .len(),
            1
        );
    }

    #[test]
    fn does_not_fire_without() {
        assert!(run(
            &ExternalIps,
            &super::super::service("a", "  externalIPs: []\n")
        )
        .is_empty());
    }
}
