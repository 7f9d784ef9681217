//! `host_network_exposed_node`: a host-network pod listens on the node's own interfaces;
//! on nodes that take traffic from outside it is reachable directly. Defender's "pod uses
//! host network on an exposed node".

use super::{container_label, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "host_network_exposed_node",
    title: "Host network on an exposed node",
    condition: "A hostNetwork pod's container declares ports, and nodes are exposed (some service is NodePort or LoadBalancer).",
    evidence: "The container and its ports.",
    mitre: "T1133",
    fix: "Drop hostNetwork; expose the port through a Service.",
    origin: "Defender",
    likelihood: 0.8,
    fires: Fixture::manifests("apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: a}\nspec: {type: LoadBalancer, ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {hostNetwork: true, containers: [{name: c, image: x, ports: [{containerPort: 9100}]}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {hostNetwork: true, containers: [{name: c, image: x, ports: [{containerPort: 9100}]}]}\n"),
    detect: |cx, out| {
        let Some(e) = cx.nodes_exposed else { return };
        for w in cx.workloads.iter().filter(|w| w.host_network) {
            for c in w.containers.iter().filter(|c| !c.host_ports.is_empty()) {
                out.push(
                    e,
                    c.node,
                    format!("{} uses the host network and listens on port {} of exposed nodes", container_label(w, c), c.host_ports[0]),
                    format!("drop hostNetwork from {}", w.display),
                );
            }
        }
    },
};
