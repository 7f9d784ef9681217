//! PAL-K8S-013 — Volume types (PSS restricted, `restrictedVolumes`; replaces
//! `hostPathVolumes`).
//!
//! **What**: every volume must be one of `configMap`, `csi`, `downwardAPI`, `emptyDir`,
//! `ephemeral`, `image`, `persistentVolumeClaim`, `projected`, `secret`.
//! **Why**: other volume types (hostPath, nfs, iscsi, rbd, gitRepo...) reach storage
//! directly from the node, outside the PersistentVolume model and its access control.
//! **Example** (fires): `volumes: [{name: n, nfs: {server: nas, path: /}}]`.
//! **Remediation**: use a PersistentVolumeClaim bound to a PersistentVolume instead.
//! **References**: PSS restricted (Volume Types); ATT&CK T1611.

use crate::check::*;
use k8s_openapi::api::core::v1::Volume;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct RestrictedVolumes;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-013",
    slug: "restricted_volumes",
    title: "Volume type not allowed by the restricted profile",
    severity: Severity::Medium,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Restricted),
        pss_control: Some("restrictedVolumes"),
        cis: &[],
        nsa: &["Pod security"],
        mitre: &["T1611"],
    },
    rationale: "Volume types other than the nine the restricted profile allows mount node or network storage directly.",
    remediation: "Use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes.",
    patch: "volumes:\n- name: data\n  persistentVolumeClaim:\n    claimName: data\n",
    overrides: &["hostPathVolumes"],
    references: &[super::PSS_DOC],
};

fn allowed(v: &Volume) -> bool {
    v.config_map.is_some()
        || v.csi.is_some()
        || v.downward_api.is_some()
        || v.empty_dir.is_some()
        || v.ephemeral.is_some()
        || v.image.is_some()
        || v.persistent_volume_claim.is_some()
        || v.projected.is_some()
        || v.secret.is_some()
}

impl Check for RestrictedVolumes {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, ctx: &Context<'_>, out: &mut Vec<Violation>) {
        let _ = ctx;
        let raw = t
            .owner
            .pointer(&t.spec_field("volumes"))
            .and_then(|v| v.as_array());
        for (i, v) in t.spec.volumes.iter().flatten().enumerate() {
            if allowed(v) {
                continue;
            }
            // Name the type as written: the first key other than `name`.
            let kind = raw
                .and_then(|r| r.get(i))
                .and_then(|r| r.as_object())
                .and_then(|m| m.keys().find(|k| *k != "name").cloned())
                .unwrap_or_else(|| "unknown".into());
            out.push(
                Violation::new(
                    format!("volume {:?} uses restricted volume type {kind:?}", v.name),
                    t.spec_field(&format!("volumes/{i}")),
                )
                .patch_at(t.spec_pointer),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_node_and_network_volumes() {
        let f = run(&RestrictedVolumes, &pod("  containers: [{name: c}]\n  volumes:\n  - name: h\n    hostPath: {path: /tmp}\n  - name: nf\n    nfs: {server: nas, path: /}\n  - name: g\n    gitRepo: {repository: x}\n"));
        assert_eq!(
            messages(&f),
            [
                "volume \"h\" uses restricted volume type \"hostPath\"",
                "volume \"nf\" uses restricted volume type \"nfs\"",
                "volume \"g\" uses restricted volume type \"gitRepo\""
            ]
        );
    }

    #[test]
    fn does_not_fire_on_the_nine_allowed_types() {
        let spec = "  containers: [{name: c}]\n  volumes:\n  - {name: a, configMap: {name: x}}\n  - {name: b, csi: {driver: d}}\n  - {name: c, downwardAPI: {}}\n  - {name: d, emptyDir: {}}\n  - {name: e, ephemeral: {volumeClaimTemplate: {spec: {}}}}\n  - {name: f, image: {reference: x}}\n  - {name: g, persistentVolumeClaim: {claimName: x}}\n  - {name: h, projected: {sources: []}}\n  - {name: i, secret: {secretName: x}}\n";
        assert!(run(&RestrictedVolumes, &pod(spec)).is_empty());
    }

    #[test]
    fn a_volume_without_a_source_is_the_api_servers_default_emptydir() {
        let spec = "  containers: [{name: c}]\n  volumes:\n  - name: scratch\n";
        assert!(run(&RestrictedVolumes, &pod(spec)).is_empty());
    }
}
