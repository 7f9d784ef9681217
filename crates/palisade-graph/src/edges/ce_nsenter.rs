//! `ce_nsenter`: privileged + host PID namespace → `nsenter -t 1 -a` is a root shell on the
//! node. KubeHound's CE_NSENTER.

use super::{container_label, escape, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "ce_nsenter",
    title: "nsenter into the node's init process",
    condition: "A privileged container in a pod with hostPID: true.",
    evidence: "The container, hostPID and the privileged flag.",
    mitre: "T1611",
    fix: "Drop hostPID from the pod spec (and privileged from the container).",
    origin: "KubeHound",
    likelihood: 0.95,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {hostPID: true, containers: [{name: c, image: x, securityContext: {privileged: true}}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {hostPID: false, containers: [{name: c, image: x, securityContext: {privileged: true}}]}\n"),
    detect: |cx, out| {
        escape(cx, out, |w, c| {
            (c.privileged && w.host_pid).then(|| {
                (
                    format!("{} is privileged and shares the node's PID namespace: nsenter -t 1 gives a root shell on the node", container_label(w, c)),
                    format!("drop hostPID from {}", w.display),
                )
            })
        })
    },
};
