//! `ce_runtime_socket`: the container runtime's socket (docker, containerd, CRI-O) mounted
//! into a container: start a privileged container on the node. KubeHound's CE_RUNTIME_SOCKET
//! (mount of `/var/run`/`/run` included).

use super::{container_label, escape, host_mounts, EdgeKind, Fixture};

const SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/run/containerd",
    "/var/run/containerd",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/crio",
    "/run/crio",
    "/var/run",
    "/run",
];

pub static KIND: EdgeKind = EdgeKind {
    id: "ce_runtime_socket",
    title: "Container runtime socket",
    condition: "A container mounts a hostPath of the docker, containerd or CRI-O socket (or /run, /var/run).",
    evidence: "The hostPath volume and its path.",
    mitre: "T1610",
    fix: "Remove the hostPath volume of the runtime socket.",
    origin: "KubeHound",
    likelihood: 0.95,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {volumes: [{name: s, hostPath: {path: /var/run/docker.sock}}], containers: [{name: c, image: x, volumeMounts: [{name: s, mountPath: /var/run/docker.sock, readOnly: true}]}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {volumes: [{name: s, emptyDir: {}}], containers: [{name: c, image: x, volumeMounts: [{name: s, mountPath: /var/run}]}]}\n"),
    detect: |cx, out| {
        escape(cx, out, |w, c| {
            host_mounts(w, c)
                .find(|(p, _, _)| SOCKETS.contains(p) || p.ends_with(".sock") && (p.contains("docker") || p.contains("containerd") || p.contains("crio")))
                .map(|(p, _, v)| {
                    (
                        format!("{} mounts the runtime socket {p} (volume {v}): it can start a privileged container on the node", container_label(w, c)),
                        format!("remove hostPath volume {v} from {}", w.display),
                    )
                })
        })
    },
};
