//! PAL-K8S-032 — LoadBalancer Service open to any source.
//!
//! **What**: a Service of type LoadBalancer with neither `spec.loadBalancerSourceRanges` nor
//! the `service.beta.kubernetes.io/load-balancer-source-ranges` annotation.
//! **Why**: the cloud load balancer then accepts traffic from the whole internet.
//! **Example** (fires): `spec: {type: LoadBalancer}` and nothing else.
//! **Remediation**: set `loadBalancerSourceRanges` to the networks that need access (or use an
//! internal load balancer).
//! **References**: NSA/CISA "Network separation and hardening"; ATT&CK T1190.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct LoadBalancerSourceRanges;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-032",
    slug: "load_balancer_source_ranges",
    title: "LoadBalancer without source ranges",
    severity: Severity::Medium,
    category: Category::Exposure,
    frameworks: Frameworks { nsa: &["Network separation and hardening"], mitre: &["T1190"], ..Frameworks::NONE },
    rationale: "A LoadBalancer without source ranges is reachable from any address.",
    remediation: "Set spec.loadBalancerSourceRanges to the client networks, or make the load balancer internal.",
    patch: "spec:\n  loadBalancerSourceRanges:\n  - 203.0.113.0/24\n",
    overrides: &[],
    references: &[super::SERVICE_DOC],
};

impl Check for LoadBalancerSourceRanges {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if super::service_type(o) != Some("LoadBalancer") {
            return;
        }
        let ranges = o
            .pointer("/spec/loadBalancerSourceRanges")
            .and_then(|r| r.as_array())
            .is_some_and(|r| !r.is_empty());
        let annotated = o
            .annotation("service.beta.kubernetes.io/load-balancer-source-ranges")
            .is_some_and(|a| !a.trim().is_empty());
        let open_ranges = o
            .pointer("/spec/loadBalancerSourceRanges")
            .and_then(|r| r.as_array())
            .is_some_and(|r| {
                r.iter()
                    .any(|x| matches!(x.as_str(), Some("0.0.0.0/0" | "::/0")))
            });
        if open_ranges {
            out.push(Violation::new(
                "loadBalancerSourceRanges allows every address",
                "/spec/loadBalancerSourceRanges",
            ));
        } else if !ranges && !annotated {
            out.push(
                Violation::new("LoadBalancer accepts traffic from any source", "/spec/type")
                    .patch_at("/spec"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_without_ranges_or_with_open_ranges() {
        assert_eq!(
            run(
                &LoadBalancerSourceRanges,
                &super::super::service("a", "  type: LoadBalancer\n  ports: [{port: 80}]\n")
            )
            .len(),
            1
        );
        assert_eq!(
            run(
                &LoadBalancerSourceRanges,
                &super::super::service(
                    "a",
                    "  type: LoadBalancer\n  loadBalancerSourceRanges: [0.0.0.0/0]\n"
                )
            )
            .len(),
            1
        );
    }

    #[test]
    fn does_not_fire_with_ranges_or_other_types() {
        assert!(run(
            &LoadBalancerSourceRanges,
            &super::super::service(
                "a",
                "  type: LoadBalancer\n  loadBalancerSourceRanges: [10.0.0.0/8]\n"
            )
        )
        .is_empty());
        assert!(run(
            &LoadBalancerSourceRanges,
            &super::super::service("a", "  type: ClusterIP\n")
        )
        .is_empty());
    }
}
