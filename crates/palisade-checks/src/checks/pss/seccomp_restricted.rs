//! PAL-K8S-017 — Seccomp profile required (PSS restricted, `seccompProfile_restricted`;
//! replaces `seccompProfile_baseline`).
//!
//! **What**: `seccompProfile.type` must be explicitly `RuntimeDefault` or `Localhost`: on the
//! pod (containers may then leave it unset), or on every container. Windows pods are exempt
//! since policy v1.25.
//! **Why**: without a profile most runtimes run the container unconfined.
//! **Example** (fires): no `seccompProfile` anywhere.
//! **Remediation**: set `securityContext.seccompProfile.type: RuntimeDefault` on the pod.
//! **References**: PSS restricted (Seccomp); CIS 5.7.2; ATT&CK T1611, T1068.

use crate::check::*;
use crate::util::{describe, pod_sc, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct SeccompRestricted;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-017",
    slug: "seccomp_restricted",
    title: "No seccomp profile",
    severity: Severity::Medium,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Restricted),
        pss_control: Some("seccompProfile_restricted"),
        cis: &["5.7.2"],
        nsa: &["Pod security: AppArmor and seccomp"],
        mitre: &["T1611", "T1068"],
    },
    rationale:
        "Without an explicit seccomp profile the container can usually make every system call.",
    remediation: "Set securityContext.seccompProfile.type: RuntimeDefault at pod level.",
    patch: "securityContext:\n  seccompProfile:\n    type: RuntimeDefault\n",
    overrides: &["seccompProfile_baseline"],
    references: &[super::PSS_DOC],
};

impl Check for SeccompRestricted {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if t.is_windows() {
            return;
        }
        let mut pod_set = false;
        if let Some(p) = pod_sc(t).and_then(|s| s.seccomp_profile.as_ref()) {
            if super::seccomp_baseline::valid(&p.type_) {
                pod_set = true;
            } else {
                out.push(
                    Violation::new(
                        format!(
                            "pod must not set securityContext.seccompProfile.type={:?}",
                            p.type_
                        ),
                        t.spec_field("securityContext/seccompProfile/type"),
                    )
                    .patch_at(t.spec_pointer),
                );
            }
        }
        for c in t.containers() {
            match sc(c).and_then(|s| s.seccomp_profile.as_ref()) {
                Some(p) if !super::seccomp_baseline::valid(&p.type_) => out.push(
                    Violation::new(format!("{} must not set securityContext.seccompProfile.type={:?}", describe(c), p.type_), t.container_field(c, "securityContext/seccompProfile/type"))
                        .patch_at(t.container_field(c, "")),
                ),
                None if !pod_set => out.push(
                    Violation::new(
                        format!("pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"", describe(c)),
                        t.container_field(c, "securityContext/seccompProfile"),
                    )
                    .patch_at(t.spec_pointer),
                ),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_when_missing_or_unconfined() {
        let f = run(&SeccompRestricted, &pod("  containers:\n  - name: a\n  - name: b\n    securityContext:\n      seccompProfile: {type: Localhost, localhostProfile: p.json}\n"));
        assert_eq!(messages(&f).len(), 1);
        assert!(f[0].message.contains("container \"a\""));
        let f = run(&SeccompRestricted, &pod("  securityContext:\n    seccompProfile: {type: Unconfined}\n  containers: [{name: a}]\n"));
        assert_eq!(
            f.len(),
            2,
            "the pod's bad value and the container left without a profile"
        );
    }

    #[test]
    fn does_not_fire_with_pod_level_runtime_default_or_on_windows() {
        assert!(run(&SeccompRestricted, &pod("  securityContext:\n    seccompProfile: {type: RuntimeDefault}\n  containers: [{name: a}]\n")).is_empty());
        assert!(run(
            &SeccompRestricted,
            &pod("  os: {name: windows}\n  containers: [{name: a}]\n")
        )
        .is_empty());
    }
}
