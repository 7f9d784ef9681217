//! `ce_host_path_write`: a writable mount of a sensitive host directory (`/`, `/etc`,
//! `/root`, `/var/lib/kubelet`, binaries...): write a cron job, an SSH key, a static pod or a
//! binary the node runs as root. KubeHound's EXPLOIT_HOST_WRITE.

use super::{container_label, escape, host_mounts, under, EdgeKind, Fixture};

pub(crate) const SENSITIVE: &[&str] = &[
    "",
    "/etc",
    "/root",
    "/home",
    "/var/lib/kubelet",
    "/etc/kubernetes",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/boot",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var",
    "/dev",
    "/opt",
    "/var/spool/cron",
];

pub static KIND: EdgeKind = EdgeKind {
    id: "ce_host_path_write",
    title: "Writable sensitive host path",
    condition: "A container mounts a sensitive host directory (/, /etc, /root, /home, /var/lib/kubelet, /usr, /bin, /boot, /dev, ...) without readOnly.",
    evidence: "The hostPath volume, its path and the mount.",
    mitre: "T1611",
    fix: "Remove the hostPath volume, or mount it readOnly.",
    origin: "KubeHound",
    likelihood: 0.9,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {volumes: [{name: e, hostPath: {path: /etc}}], containers: [{name: c, image: x, volumeMounts: [{name: e, mountPath: /host/etc}]}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {volumes: [{name: e, hostPath: {path: /srv/data}}], containers: [{name: c, image: x, volumeMounts: [{name: e, mountPath: /data}]}]}\n"),
    detect: |cx, out| {
        escape(cx, out, |w, c| {
            host_mounts(w, c)
                .find(|(p, ro, _)| !ro && SENSITIVE.iter().any(|s| under(p, s) || (s.is_empty() && p.is_empty())))
                .map(|(p, _, v)| {
                    (
                        format!("{} mounts the host's {} writable (volume {v})", container_label(w, c), if p.is_empty() { "/" } else { p }),
                        format!("remove hostPath volume {v} from {}", w.display),
                    )
                })
        })
    },
};
