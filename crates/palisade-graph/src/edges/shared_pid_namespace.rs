//! `shared_pid_namespace`: with `shareProcessNamespace`, every container of the pod sees the
//! others' processes and their files through `/proc/<pid>/root` (secrets, tokens, memory).
//! KubeHound's SHARE_PS_NAMESPACE.

use super::{container_label, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "shared_pid_namespace",
    title: "Shared process namespace",
    condition: "A pod with shareProcessNamespace: true and more than one container.",
    evidence: "Both containers.",
    mitre: "T1055",
    fix: "Remove shareProcessNamespace from the pod spec.",
    origin: "KubeHound",
    likelihood: 0.8,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {shareProcessNamespace: true, containers: [{name: c, image: x}, {name: d, image: z}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}, {name: d, image: z}]}\n"),
    detect: |cx, out| {
        for w in cx.workloads.iter().filter(|w| w.share_pid) {
            for a in &w.containers {
                for b in &w.containers {
                    if a.node != b.node {
                        out.push(
                            a.node,
                            b.node,
                            format!("{} shares its process namespace with {}", container_label(w, a), b.name),
                            format!("remove shareProcessNamespace from {}", w.display),
                        );
                    }
                }
            }
        }
    },
};
