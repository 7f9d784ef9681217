//! PAL-K8S-003 — Privileged containers (PSS baseline, `privileged`).
//!
//! **What**: `securityContext.privileged` must be unset or `false` on every container.
//! **Why**: a privileged container has every capability, all devices, and no seccomp or
//! AppArmor confinement: escaping to the node is trivial.
//! **Example** (fires): `securityContext: {privileged: true}`.
//! **Remediation**: drop `privileged`; grant the one capability really needed instead.
//! **References**: PSS baseline (Privileged Containers); CIS 5.2.2; ATT&CK T1611.

use crate::check::*;
use crate::util::{describe, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct Privileged;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-003",
    slug: "privileged",
    title: "Privileged container",
    severity: Severity::Critical,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Baseline),
        pss_control: Some("privileged"),
        cis: &["5.2.2"],
        nsa: &["Pod security: privileged containers"],
        mitre: &["T1611", "T1610"],
    },
    rationale: "Privileged containers have full access to the node's devices and kernel; they are a direct path to the host.",
    remediation: "Set securityContext.privileged to false (or remove it) and add only the capabilities the process needs.",
    patch: "securityContext:\n  privileged: false\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

impl Check for Privileged {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for c in t.containers() {
            if sc(c).and_then(|s| s.privileged) == Some(true) {
                out.push(
                    Violation::new(
                        format!(
                            "{} must not set securityContext.privileged=true",
                            describe(c)
                        ),
                        t.container_field(c, "securityContext/privileged"),
                    )
                    .patch_at(t.container_field(c, "")),
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
    fn fires_on_init_regular_and_ephemeral_containers() {
        let f = run(&Privileged, &pod("  initContainers:\n  - name: i\n    securityContext: {privileged: true}\n  containers:\n  - name: c\n    securityContext: {privileged: true}\n  - name: ok\n    securityContext: {privileged: false}\n  ephemeralContainers:\n  - name: e\n    securityContext: {privileged: true}\n"));
        assert_eq!(messages(&f).len(), 3);
        assert!(f[0].message.starts_with("init container \"i\""));
        assert!(f[2].message.starts_with("ephemeral container \"e\""));
        assert_eq!(
            f[2].pointer,
            "/spec/ephemeralContainers/0/securityContext/privileged"
        );
        assert_eq!(f[2].patch_at, "/spec/ephemeralContainers/0");
    }

    #[test]
    fn does_not_fire_without_privileged() {
        assert!(run(&Privileged, &pod("  containers:\n  - name: c\n")).is_empty());
    }
}
