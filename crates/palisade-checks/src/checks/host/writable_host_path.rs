//! PAL-K8S-037 — hostPath mounted read-write.
//!
//! **What**: a container mounts a hostPath volume without `readOnly: true`.
//! **Why**: a writable host path lets the container plant files on the node (binaries,
//! cron jobs, kubelet config) that run outside any container.
//! **Example** (fires): `volumeMounts: [{name: host, mountPath: /host}]` for a hostPath volume.
//! **Remediation**: mount it with `readOnly: true`, or replace the hostPath.
//! **References**: NSA/CISA "Pod security"; ATT&CK T1611.

use crate::check::*;
use crate::util::describe;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct WritableHostPath;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-037",
    slug: "writable_host_path",
    title: "hostPath volume mounted read-write",
    severity: Severity::High,
    category: Category::HostAccess,
    frameworks: Frameworks {
        nsa: &["Pod security: host path mounts"],
        mitre: &["T1611"],
        ..Frameworks::NONE
    },
    rationale: "A writable hostPath lets the container change files on the node itself.",
    remediation: "Set readOnly: true on the volumeMount, or stop using the hostPath volume.",
    patch: "volumeMounts:\n- name: host\n  mountPath: /host\n  readOnly: true\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"],
};

impl Check for WritableHostPath {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        let host_volumes: Vec<&str> = t
            .spec
            .volumes
            .iter()
            .flatten()
            .filter(|v| v.host_path.is_some())
            .map(|v| v.name.as_str())
            .collect();
        if host_volumes.is_empty() {
            return;
        }
        for c in t.containers() {
            for (i, m) in c.container.volume_mounts.iter().flatten().enumerate() {
                if host_volumes.contains(&m.name.as_str()) && m.read_only != Some(true) {
                    out.push(Violation::new(
                        format!(
                            "{} mounts hostPath volume {:?} read-write at {}",
                            describe(c),
                            m.name,
                            m.mount_path
                        ),
                        t.container_field(c, &format!("volumeMounts/{i}")),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    const VOL: &str = "  volumes:\n  - name: host\n    hostPath: {path: /data}\n  - name: tmp\n    emptyDir: {}\n";

    #[test]
    fn fires_on_read_write_host_mounts() {
        let f = run(&WritableHostPath, &pod(&format!("  containers:\n  - name: c\n    volumeMounts:\n    - {{name: host, mountPath: /host}}\n    - {{name: tmp, mountPath: /tmp}}\n{VOL}")));
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn does_not_fire_on_read_only() {
        assert!(run(&WritableHostPath, &pod(&format!("  containers:\n  - name: c\n    volumeMounts:\n    - {{name: host, mountPath: /host, readOnly: true}}\n{VOL}"))).is_empty());
    }
}
