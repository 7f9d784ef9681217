//! PAL-K8S-036 — Sensitive hostPath mount.
//!
//! **What**: a hostPath volume at (or under) `/`, `/etc`, `/proc`, `/sys`, `/root`, `/home`,
//! `/boot`, `/dev`, `/var/lib/kubelet`, `/var/lib/docker`, `/var/lib/containerd`,
//! `/etc/kubernetes`, `/var/log`, or a container runtime socket (`docker.sock`,
//! `containerd.sock`, `crio.sock`, `cri-dockerd.sock`).
//! **Why**: these paths hold node credentials (kubelet and cluster PKI), every pod's secrets,
//! or control the container runtime: mounting them is a full node takeover. `/var/log` is a
//! known escape through symlinks followed by the kubelet's log reader.
//! **Example** (fires): `hostPath: {path: /var/run/docker.sock}`.
//! **Remediation**: remove the mount; use the Kubernetes API, a CSI driver or a dedicated agent.
//! **References**: PSS baseline (HostPath Volumes); CIS 5.2.12; ATT&CK T1611.

use crate::check::*;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct SensitiveHostPath;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-036",
    slug: "sensitive_host_path",
    title: "Sensitive host path mounted",
    severity: Severity::Critical,
    category: Category::HostAccess,
    frameworks: Frameworks { cis: &["5.2.12"], nsa: &["Pod security: host path mounts"], mitre: &["T1611", "T1552.001"], ..Frameworks::NONE },
    rationale: "Mounting node system paths or the container runtime socket gives the pod control of the node.",
    remediation: "Remove the hostPath volume; use the Kubernetes API or a CSI driver for what the pod needs.",
    patch: "volumes:\n- name: data\n  emptyDir: {}\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"],
};

/// The one list of sensitive host paths, shared with the audit rules
/// (`palisade_model::host_paths`).
pub(crate) fn sensitive(path: &str) -> bool {
    palisade_model::host_paths::is_sensitive_host_path(path)
}

impl Check for SensitiveHostPath {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for (i, v) in t.spec.volumes.iter().flatten().enumerate() {
            if let Some(hp) = v.host_path.as_ref().filter(|hp| sensitive(&hp.path)) {
                out.push(
                    Violation::new(
                        format!("volume {:?} mounts host path {}", v.name, hp.path),
                        t.spec_field(&format!("volumes/{i}/hostPath/path")),
                    )
                    .patch_at(t.spec_pointer),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_sensitive_paths() {
        for p in [
            "/",
            "/etc/kubernetes/pki",
            "/var/run/docker.sock",
            "/run/containerd/containerd.sock",
            "/var/lib/kubelet/",
            "/opt/../proc",
        ] {
            let f = run(&SensitiveHostPath, &pod(&format!("  containers: [{{name: c}}]\n  volumes:\n  - name: h\n    hostPath: {{path: \"{p}\"}}\n")));
            assert_eq!(f.len(), 1, "{p}");
        }
    }

    #[test]
    fn does_not_fire_on_ordinary_paths() {
        for p in ["/data/app", "/opt/cache", "/etcetera", "/mnt/disks/ssd0"] {
            assert!(run(&SensitiveHostPath, &pod(&format!("  containers: [{{name: c}}]\n  volumes:\n  - name: h\n    hostPath: {{path: \"{p}\"}}\n"))).is_empty(), "{p}");
        }
    }
}
