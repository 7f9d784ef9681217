//! `ce_module_load`: CAP_SYS_MODULE loads a kernel module: code in the node's kernel.
//! KubeHound's CE_MODULE_LOAD.

use super::{container_label, escape, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "ce_module_load",
    title: "Kernel module load",
    condition: "A container adds the SYS_MODULE capability (or ALL).",
    evidence: "The container and its added capabilities.",
    mitre: "T1547.006",
    fix: "Remove SYS_MODULE from securityContext.capabilities.add.",
    origin: "KubeHound",
    likelihood: 0.9,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x, securityContext: {capabilities: {add: [SYS_MODULE]}}}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x, securityContext: {capabilities: {add: [NET_BIND_SERVICE]}}}]}\n"),
    detect: |cx, out| {
        escape(cx, out, |w, c| {
            c.has_cap("SYS_MODULE").then(|| {
                (
                    format!("{} has CAP_SYS_MODULE: it can load a kernel module", container_label(w, c)),
                    format!("remove SYS_MODULE from {}", container_label(w, c)),
                )
            })
        })
    },
};
