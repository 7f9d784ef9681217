//! PAL-K8S-015 — Running as non-root (PSS restricted, `runAsNonRoot`).
//!
//! **What**: `runAsNonRoot` must be `true` on the pod or on every container, and never
//! explicitly `false`. Since policy v1.35 user-namespaced pods (`hostUsers: false`) are exempt.
//! **Why**: root in the container is root on the node for many escapes (and for files on
//! mounted volumes); requiring a non-root user is the cheapest hardening there is.
//! **Example** (fires): no `runAsNonRoot` anywhere.
//! **Remediation**: set `securityContext.runAsNonRoot: true` at pod level and run the image
//! with a numeric non-zero user.
//! **References**: PSS restricted (Running as Non-root); CIS 5.2.7; ATT&CK T1611.

use crate::check::*;
use crate::util::{describe, pod_sc, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct RunAsNonRoot;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-015",
    slug: "run_as_non_root",
    title: "Container may run as root",
    severity: Severity::Medium,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Restricted),
        pss_control: Some("runAsNonRoot"),
        cis: &["5.2.7"],
        nsa: &["Pod security: non-root containers"],
        mitre: &["T1611"],
    },
    rationale: "A process running as root inside the container keeps root's power over the kernel and mounted files.",
    remediation: "Set securityContext.runAsNonRoot: true on the pod (and never false on a container).",
    patch: "securityContext:\n  runAsNonRoot: true\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

impl Check for RunAsNonRoot {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if super::user_namespaced(t) {
            return;
        }
        let pod = pod_sc(t).and_then(|s| s.run_as_non_root);
        if pod == Some(false) {
            out.push(
                Violation::new(
                    "pod must not set securityContext.runAsNonRoot=false",
                    t.spec_field("securityContext/runAsNonRoot"),
                )
                .patch_at(t.spec_pointer),
            );
        }
        for c in t.containers() {
            match sc(c).and_then(|s| s.run_as_non_root) {
                Some(false) => out.push(
                    Violation::new(
                        format!(
                            "{} must not set securityContext.runAsNonRoot=false",
                            describe(c)
                        ),
                        t.container_field(c, "securityContext/runAsNonRoot"),
                    )
                    .patch_at(t.container_field(c, "")),
                ),
                None if pod != Some(true) => out.push(
                    Violation::new(
                        format!(
                            "pod or {} must set securityContext.runAsNonRoot=true",
                            describe(c)
                        ),
                        t.container_field(c, "securityContext/runAsNonRoot"),
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
    fn fires_on_missing_and_explicit_false() {
        let f = run(&RunAsNonRoot, &pod("  containers:\n  - name: a\n  - name: b\n    securityContext: {runAsNonRoot: true}\n"));
        assert_eq!(
            messages(&f),
            ["pod or container \"a\" must set securityContext.runAsNonRoot=true"]
        );
        let f = run(&RunAsNonRoot, &pod("  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: a\n    securityContext: {runAsNonRoot: false}\n"));
        assert_eq!(
            messages(&f),
            ["container \"a\" must not set securityContext.runAsNonRoot=false"]
        );
    }

    #[test]
    fn does_not_fire_when_pod_level_true_or_user_namespaced() {
        assert!(run(
            &RunAsNonRoot,
            &pod("  securityContext: {runAsNonRoot: true}\n  containers: [{name: a}]\n")
        )
        .is_empty());
        assert!(run(
            &RunAsNonRoot,
            &pod("  hostUsers: false\n  containers: [{name: a}]\n")
        )
        .is_empty());
    }
}
