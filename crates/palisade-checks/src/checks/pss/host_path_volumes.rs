//! PAL-K8S-005 — hostPath volumes (PSS baseline, `hostPathVolumes`).
//!
//! **What**: no volume may be a `hostPath`.
//! **Why**: a hostPath mounts part of the node's filesystem into the container: node
//! credentials, the container runtime socket, other pods' data, or paths that let the
//! container write to the host.
//! **Example** (fires): `volumes: [{name: h, hostPath: {path: /var/log}}]`.
//! **Remediation**: use `emptyDir`, a `configMap`/`secret`, or a PersistentVolumeClaim.
//! **References**: PSS baseline (HostPath Volumes); CIS 5.2.12; ATT&CK T1611.

use crate::check::*;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct HostPathVolumes;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-005",
    slug: "host_path_volumes",
    title: "hostPath volume",
    severity: Severity::High,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Baseline),
        pss_control: Some("hostPathVolumes"),
        cis: &["5.2.12"],
        nsa: &["Pod security: host path mounts"],
        mitre: &["T1611"],
    },
    rationale: "hostPath volumes expose the node's filesystem to the container and are a common escape route.",
    remediation: "Replace the hostPath volume with emptyDir, configMap, secret, projected or a PersistentVolumeClaim.",
    patch: "volumes:\n- name: data\n  emptyDir: {}\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

impl Check for HostPathVolumes {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for (i, v) in t.spec.volumes.iter().flatten().enumerate() {
            if let Some(hp) = &v.host_path {
                out.push(
                    Violation::new(
                        format!("volume {:?} is a hostPath ({})", v.name, hp.path),
                        t.spec_field(&format!("volumes/{i}/hostPath")),
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
    fn fires_on_host_path() {
        let f = run(&HostPathVolumes, &deployment("      containers: [{name: a}]\n      volumes:\n      - name: logs\n        hostPath:\n          path: /var/log\n      - name: tmp\n        emptyDir: {}\n"));
        assert_eq!(messages(&f), ["volume \"logs\" is a hostPath (/var/log)"]);
        assert_eq!(f[0].location.line, 14);
    }

    #[test]
    fn does_not_fire_on_other_volumes() {
        assert!(run(
            &HostPathVolumes,
            &deployment(
                "      containers: [{name: a}]\n      volumes: [{name: t, emptyDir: {}}]\n"
            )
        )
        .is_empty());
    }
}
