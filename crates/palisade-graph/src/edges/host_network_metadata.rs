//! `host_network_metadata`: a container on the node's network reaches the cloud metadata
//! endpoint with the node's identity (no NetworkPolicy applies to host-network pods):
//! node credentials, user data, often cluster bootstrap tokens.

use super::{container_label, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "host_network_metadata",
    title: "Metadata endpoint from the host network",
    condition: "A pod with hostNetwork: true.",
    evidence: "The container and hostNetwork.",
    mitre: "T1552.005",
    fix: "Drop hostNetwork; block 169.254.169.254 on the node (IMDSv2 hop limit 1, metadata concealment).",
    origin: "Palisade",
    likelihood: 0.8,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {hostNetwork: true, containers: [{name: c, image: x}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    detect: |cx, out| {
        for w in cx.workloads.iter().filter(|w| w.host_network) {
            for c in &w.containers {
                out.push(
                    c.node,
                    cx.metadata,
                    format!("{} uses the node's network: the metadata endpoint answers with the node's credentials", container_label(w, c)),
                    format!("drop hostNetwork from {}", w.display),
                );
            }
        }
    },
};
