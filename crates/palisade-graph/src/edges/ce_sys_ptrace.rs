//! `ce_sys_ptrace`: CAP_SYS_PTRACE with the host PID namespace → inject code into a root
//! process of the node. KubeHound's CE_SYS_PTRACE.

use super::{container_label, escape, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "ce_sys_ptrace",
    title: "ptrace a node process",
    condition: "A container adds SYS_PTRACE (or ALL) in a pod with hostPID: true.",
    evidence: "The container, its capabilities and hostPID.",
    mitre: "T1611",
    fix: "Remove SYS_PTRACE from the container (or hostPID from the pod).",
    origin: "KubeHound",
    likelihood: 0.85,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {hostPID: true, containers: [{name: c, image: x, securityContext: {capabilities: {add: [SYS_PTRACE]}}}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x, securityContext: {capabilities: {add: [SYS_PTRACE]}}}]}\n"),
    detect: |cx, out| {
        escape(cx, out, |w, c| {
            (c.has_cap("SYS_PTRACE") && w.host_pid).then(|| {
                (
                    format!("{} has CAP_SYS_PTRACE and sees the node's processes (hostPID)", container_label(w, c)),
                    format!("remove SYS_PTRACE from {}", container_label(w, c)),
                )
            })
        })
    },
};
