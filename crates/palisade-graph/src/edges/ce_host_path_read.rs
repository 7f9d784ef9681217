//! `ce_host_path_read`: a read-only mount of a sensitive host directory still reads the
//! node's secrets: `/etc/shadow`, SSH keys, the kubelet's client certificate, every pod's
//! service-account token under `/var/lib/kubelet/pods`. KubeHound's EXPLOIT_HOST_READ.

use super::ce_host_path_write::SENSITIVE;
use super::{container_label, escape, host_mounts, under, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "ce_host_path_read",
    title: "Readable sensitive host path",
    condition: "A container mounts a sensitive host directory readOnly (writable mounts are ce_host_path_write).",
    evidence: "The hostPath volume and its path.",
    mitre: "T1552.001",
    fix: "Remove the hostPath volume, or narrow it to the one file needed.",
    origin: "KubeHound",
    likelihood: 0.6,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {volumes: [{name: k, hostPath: {path: /var/lib/kubelet}}], containers: [{name: c, image: x, volumeMounts: [{name: k, mountPath: /kubelet, readOnly: true}]}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {volumes: [{name: k, hostPath: {path: /srv/static}}], containers: [{name: c, image: x, volumeMounts: [{name: k, mountPath: /static, readOnly: true}]}]}\n"),
    detect: |cx, out| {
        escape(cx, out, |w, c| {
            host_mounts(w, c)
                .find(|(p, ro, _)| *ro && SENSITIVE.iter().any(|s| under(p, s) || (s.is_empty() && p.is_empty())))
                .map(|(p, _, v)| {
                    (
                        format!("{} reads the host's {} (volume {v}): node credentials and other pods' tokens", container_label(w, c), if p.is_empty() { "/" } else { p }),
                        format!("remove hostPath volume {v} from {}", w.display),
                    )
                })
        })
    },
};
