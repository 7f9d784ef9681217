//! `metadata_reachable`: a pod whose namespace has no egress NetworkPolicy keeping it from
//! 169.254.169.254 can ask the cloud metadata endpoint for the node's credentials (unless the
//! provider blocks pods, which the manifests cannot show).

use super::{container_label, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "metadata_reachable",
    title: "Metadata endpoint reachable from the pod network",
    condition: "A container without hostNetwork in a namespace where no NetworkPolicy selecting every pod restricts egress without allowing 169.254.169.254.",
    evidence: "The container and its namespace.",
    mitre: "T1552.005",
    fix: "Add a default-deny egress NetworkPolicy to the namespace (allow 0.0.0.0/0 only with 169.254.169.254/32 in except).",
    origin: "Palisade",
    likelihood: 0.5,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    clean: Fixture::manifests("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-egress, namespace: a}\nspec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    detect: |cx, out| {
        for w in cx.workloads.iter().filter(|w| !w.host_network) {
            if cx.ns(&w.namespace).is_some_and(|n| n.metadata_blocked) {
                continue;
            }
            for c in &w.containers {
                out.push(
                    c.node,
                    cx.metadata,
                    format!("{}: no egress NetworkPolicy of namespace {} keeps it from 169.254.169.254", container_label(w, c), w.namespace),
                    format!("add an egress NetworkPolicy blocking 169.254.169.254 to namespace {}", w.namespace),
                );
            }
        }
    },
};
