//! PAL-K8S-033 — NodePort Service.
//!
//! **What**: a Service of type NodePort.
//! **Why**: a NodePort opens the port on every node's addresses, bypassing the load balancer
//! and often firewall rules meant for it.
//! **Example** (fires): `spec: {type: NodePort}`.
//! **Remediation**: use ClusterIP behind an Ingress or a LoadBalancer with source ranges.
//! **References**: NSA/CISA "Network separation and hardening"; ATT&CK T1133.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct NodePort;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-033",
    slug: "node_port",
    title: "NodePort Service",
    severity: Severity::Low,
    category: Category::Exposure,
    frameworks: Frameworks { nsa: &["Network separation and hardening"], mitre: &["T1133"], ..Frameworks::NONE },
    rationale: "NodePorts listen on every node's addresses, outside the load balancer's controls.",
    remediation: "Use a ClusterIP Service behind an Ingress, or a LoadBalancer restricted with source ranges.",
    patch: "spec:\n  type: ClusterIP\n",
    overrides: &[],
    references: &[super::SERVICE_DOC],
};

impl Check for NodePort {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if super::service_type(o) == Some("NodePort") {
            out.push(Violation::new(
                "Service is exposed on every node's addresses (NodePort)",
                "/spec/type",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_node_port() {
        let f = run(&NodePort, &super::super::service("a", "  type: NodePort\n"));
        assert_eq!(f[0].location.line, 7);
    }

    #[test]
    fn does_not_fire_on_cluster_ip() {
        assert!(run(
            &NodePort,
            &super::super::service("a", "  ports: [{port: 80}]\n")
        )
        .is_empty());
    }
}
