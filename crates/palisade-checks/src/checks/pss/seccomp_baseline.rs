//! PAL-K8S-010 — Seccomp profile unconfined (PSS baseline, `seccompProfile_baseline`).
//!
//! **What**: `seccompProfile.type` (pod and containers) must be unset, `RuntimeDefault` or
//! `Localhost`.
//! **Why**: `Unconfined` gives the container every system call, including the ones used by
//! most kernel exploits.
//! **Example** (fires): `seccompProfile: {type: Unconfined}`.
//! **Remediation**: use `RuntimeDefault`.
//! **References**: PSS baseline (Seccomp); CIS 5.7.2; ATT&CK T1611, T1068.

use crate::check::*;
use crate::util::{describe, pod_sc, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct SeccompBaseline;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-010",
    slug: "seccomp_baseline",
    title: "Seccomp profile set to unconfined",
    severity: Severity::High,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Baseline),
        pss_control: Some("seccompProfile_baseline"),
        cis: &["5.7.2"],
        nsa: &["Pod security: AppArmor and seccomp"],
        mitre: &["T1611", "T1068"],
    },
    rationale: "Without seccomp the container can call every system call, the attack surface of most kernel exploits.",
    remediation: "Set seccompProfile.type to RuntimeDefault (or Localhost with a profile).",
    patch: "securityContext:\n  seccompProfile:\n    type: RuntimeDefault\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

pub(crate) fn valid(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

impl Check for SeccompBaseline {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if let Some(p) = pod_sc(t).and_then(|s| s.seccomp_profile.as_ref()) {
            if !valid(&p.type_) {
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
            if let Some(p) = sc(c).and_then(|s| s.seccomp_profile.as_ref()) {
                if !valid(&p.type_) {
                    out.push(
                        Violation::new(
                            format!(
                                "{} must not set securityContext.seccompProfile.type={:?}",
                                describe(c),
                                p.type_
                            ),
                            t.container_field(c, "securityContext/seccompProfile/type"),
                        )
                        .patch_at(t.container_field(c, "")),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_unconfined() {
        let f = run(&SeccompBaseline, &pod("  securityContext:\n    seccompProfile: {type: Unconfined}\n  containers:\n  - name: c\n    securityContext:\n      seccompProfile: {type: Unconfined}\n"));
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn does_not_fire_when_unset_or_runtime_default() {
        assert!(run(&SeccompBaseline, &pod("  containers:\n  - name: c\n    securityContext:\n      seccompProfile: {type: RuntimeDefault}\n")).is_empty());
        assert!(run(&SeccompBaseline, &pod("  containers: [{name: c}]\n")).is_empty());
    }
}
