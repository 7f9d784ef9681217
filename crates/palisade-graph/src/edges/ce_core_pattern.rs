//! `ce_core_pattern`: a writable mount of the host's `/proc/sys` (or `/proc`, or `/`) lets
//! the container set `kernel.core_pattern` to `|/path/in/container`: the node's kernel runs
//! it as root on the next crash. KubeHound's CE_UMH_CORE_PATTERN.

use super::{container_label, escape, host_mounts, under, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "ce_core_pattern",
    title: "core_pattern user-mode helper",
    condition: "A container mounts the host's /, /proc, /proc/sys or /proc/sys/kernel writable.",
    evidence: "The hostPath volume and its mount.",
    mitre: "T1611",
    fix: "Remove the hostPath volume (or mount it readOnly).",
    origin: "KubeHound",
    likelihood: 0.85,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {volumes: [{name: k, hostPath: {path: /proc/sys/kernel}}], containers: [{name: c, image: x, volumeMounts: [{name: k, mountPath: /host/kernel}]}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {volumes: [{name: k, hostPath: {path: /proc/sys/kernel}}], containers: [{name: c, image: x, volumeMounts: [{name: k, mountPath: /host/kernel, readOnly: true}]}]}\n"),
    detect: |cx, out| {
        escape(cx, out, |w, c| {
            host_mounts(w, c)
                .find(|(p, ro, _)| {
                    !ro && (p.is_empty() || *p == "/proc" || *p == "/proc/sys" || under(p, "/proc/sys/kernel"))
                })
                .map(|(p, _, v)| {
                    (
                        format!("{} mounts the host's {} writable (volume {v}): it can set kernel.core_pattern", container_label(w, c), if p.is_empty() { "/" } else { p }),
                        format!("remove hostPath volume {v} from {}", w.display),
                    )
                })
        })
    },
};
