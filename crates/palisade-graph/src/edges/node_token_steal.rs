//! `node_token_steal`: root on a node reads the service-account token of every pod running
//! there (`/var/lib/kubelet/pods/*/volumes/kubernetes.io~projected`). KubeHound's TOKEN_STEAL.
//! Without placement in the inputs (manifests), every workload is taken to run on any node.

use super::{EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "node_token_steal",
    title: "Steal the tokens of the node's pods",
    condition: "A workload with a mounted service-account token runs (or may run) on the node.",
    evidence: "The node, the workload and the service account.",
    mitre: "T1528",
    fix: "Set automountServiceAccountToken: false where the API is not used; keep privileged identities on dedicated nodes (taints).",
    origin: "KubeHound",
    likelihood: 0.9,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {serviceAccountName: app, containers: [{name: c, image: x}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {serviceAccountName: app, automountServiceAccountToken: false, containers: [{name: c, image: x}]}\n"),
    detect: |cx, out| {
        for w in &cx.workloads {
            if !w.token_mounted(&cx.ids) {
                continue;
            }
            let sa = &cx.ids.list[w.sa];
            for &n in &w.nodes {
                out.push(
                    n,
                    sa.node,
                    format!("{} runs on node {} with the token of {}", w.display, cx.g.node(n).name, sa.key()),
                    format!("set automountServiceAccountToken: false on {}", w.display),
                );
            }
        }
    },
};
