//! PAL-K8S-071 — PersistentVolume backed by a hostPath.
//!
//! **What**: a PersistentVolume with `spec.hostPath`.
//! **Why**: any pod that claims it mounts a node directory, without the pod spec showing a
//! hostPath (so pod-level policy does not see it). Sensitive paths make it a node takeover.
//! **Example** (fires): `kind: PersistentVolume`, `spec: {hostPath: {path: /var/lib/kubelet}}`.
//! **Remediation**: use a `local` volume with node affinity or a CSI driver.
//! **References**: CIS 5.1.9; NSA/CISA "Pod security: host path mounts"; ATT&CK T1611.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct PersistentVolumeHostPath;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-071",
    slug: "persistent_volume_host_path",
    title: "PersistentVolume backed by a hostPath",
    severity: Severity::High,
    category: Category::HostAccess,
    frameworks: Frameworks { cis: &["5.1.9"], nsa: &["Pod security: host path mounts"], mitre: &["T1611"], ..Frameworks::NONE },
    rationale: "hostPath PersistentVolumes give node filesystem access to whoever claims them, invisible to pod policy.",
    remediation: "Replace the hostPath PersistentVolume with a local volume (with nodeAffinity) or a CSI volume.",
    patch: "spec:\n  local:\n    path: /mnt/disks/ssd1\n  nodeAffinity: {}\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"],
};

impl Check for PersistentVolumeHostPath {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if o.kind != "PersistentVolume" {
            return;
        }
        if let Some(path) = o.pointer("/spec/hostPath/path").and_then(|p| p.as_str()) {
            let how = if super::sensitive_host_path::sensitive(path) {
                "a sensitive host path"
            } else {
                "a host path"
            };
            out.push(
                Violation::new(
                    format!("PersistentVolume exposes {how}: {path}"),
                    "/spec/hostPath/path",
                )
                .patch_at("/spec"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_host_path_volumes() {
        let f = run(&PersistentVolumeHostPath, "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  hostPath:\n    path: /var/lib/kubelet\n");
        assert!(f[0].message.contains("sensitive"));
        assert_eq!(f[0].location.line, 6);
    }

    #[test]
    fn does_not_fire_on_csi() {
        assert!(run(&PersistentVolumeHostPath, "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  csi: {driver: ebs.csi.aws.com, volumeHandle: vol-1}\n").is_empty());
    }
}
