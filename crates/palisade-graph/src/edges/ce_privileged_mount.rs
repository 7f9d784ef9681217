//! `ce_privileged_mount`: a privileged container mounts the node's disk.
//!
//! A privileged container sees every device of the node: `mount /dev/sda1 /mnt` gives it the
//! node's root filesystem (write a cron job, an SSH key, a kubelet static pod). KubeHound's
//! CE_PRIV_MOUNT.

use super::{container_label, escape, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "ce_privileged_mount",
    title: "Privileged container mounts the node's filesystem",
    condition: "A container has securityContext.privileged: true.",
    evidence: "The container and its workload; the privileged flag.",
    mitre: "T1611",
    fix: "Set privileged: false (grant only the capabilities it needs).",
    origin: "KubeHound",
    likelihood: 0.95,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x, securityContext: {privileged: false}}]}\n"),
    detect: |cx, out| {
        escape(cx, out, |w, c| {
            c.privileged.then(|| {
                (
                    format!("{} is privileged: it can mount the node's disk", container_label(w, c)),
                    format!("set privileged: false on {}", container_label(w, c)),
                )
            })
        })
    },
};
