//! `host_port_exposed`: a container port bound to a host port listens on the node's address;
//! when the nodes take traffic from outside (a NodePort or LoadBalancer service exists),
//! it is reachable from there with no service or NetworkPolicy in between.

use super::{container_label, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "host_port_exposed",
    title: "Host port on an exposed node",
    condition: "A container (not host network) declares a hostPort, and nodes are exposed (some service is NodePort or LoadBalancer).",
    evidence: "The container and its host ports.",
    mitre: "T1133",
    fix: "Remove hostPort; expose the port through a Service.",
    origin: "Defender",
    likelihood: 0.8,
    fires: Fixture::manifests("apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: a}\nspec: {type: NodePort, ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x, ports: [{containerPort: 80, hostPort: 8080}]}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: a}\nspec: {type: NodePort, ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x, ports: [{containerPort: 80}]}]}\n"),
    detect: |cx, out| {
        let Some(e) = cx.nodes_exposed else { return };
        for w in cx.workloads.iter().filter(|w| !w.host_network) {
            for c in w.containers.iter().filter(|c| !c.host_ports.is_empty()) {
                out.push(
                    e,
                    c.node,
                    format!("{} listens on host port {} of exposed nodes", container_label(w, c), c.host_ports[0]),
                    format!("remove hostPort from {}", container_label(w, c)),
                );
            }
        }
    },
};
