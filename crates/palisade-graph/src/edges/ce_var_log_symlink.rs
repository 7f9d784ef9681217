//! `ce_var_log_symlink`: a writable mount of the host's `/var/log`: replace a pod's log file
//! by a symlink to `/etc/shadow` (or any file) and read it through the kubelet's log endpoint,
//! which follows it as root. KubeHound's CE_VAR_LOG_SYMLINK.

use super::{container_label, escape, host_mounts, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "ce_var_log_symlink",
    title: "/var/log symlink through the kubelet",
    condition: "A container mounts the host's /var/log (or /var) writable.",
    evidence: "The hostPath volume and its mount.",
    mitre: "T1611",
    fix: "Remove the hostPath volume of /var/log (log shippers need it read-only).",
    origin: "KubeHound",
    likelihood: 0.7,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {volumes: [{name: l, hostPath: {path: /var/log}}], containers: [{name: c, image: x, volumeMounts: [{name: l, mountPath: /var/log}]}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {volumes: [{name: l, hostPath: {path: /var/log}}], containers: [{name: c, image: x, volumeMounts: [{name: l, mountPath: /var/log, readOnly: true}]}]}\n"),
    detect: |cx, out| {
        escape(cx, out, |w, c| {
            host_mounts(w, c)
                .find(|(p, ro, _)| !ro && (*p == "/var/log" || *p == "/var"))
                .map(|(p, _, v)| {
                    (
                        format!("{} mounts the host's {p} writable (volume {v}): a symlink there is followed by the kubelet as root", container_label(w, c)),
                        format!("remove hostPath volume {v} from {}", w.display),
                    )
                })
        })
    },
};
