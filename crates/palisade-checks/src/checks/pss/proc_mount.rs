//! PAL-K8S-009 — /proc mount type (PSS baseline, `procMount`).
//!
//! **What**: `securityContext.procMount` must be unset or `Default`; since policy v1.35 the
//! baseline profile allows any value for a user-namespaced pod (`hostUsers: false`).
//! **Why**: `Unmasked` exposes the parts of /proc the runtime masks (kernel tunables,
//! memory, keys) to the container.
//! **Example** (fires): `securityContext: {procMount: Unmasked}`.
//! **Remediation**: remove `procMount`, or run the pod in a user namespace.
//! **References**: PSS baseline (/proc Mount Type); ATT&CK T1611.

use crate::check::*;
use crate::util::{describe, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct ProcMount;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-009",
    slug: "proc_mount",
    title: "Unmasked /proc mount",
    severity: Severity::High,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Baseline),
        pss_control: Some("procMount"),
        cis: &[],
        nsa: &["Pod security"],
        mitre: &["T1611"],
    },
    rationale: "An unmasked /proc exposes kernel interfaces the runtime hides from containers.",
    remediation: "Remove securityContext.procMount (or set it to Default).",
    patch: "securityContext:\n  procMount: Default\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

/// Containers whose procMount is set to something other than `Default`.
pub(crate) fn violations(t: &PodTemplate<'_>, out: &mut Vec<Violation>) {
    for c in t.containers() {
        if let Some(pm) = sc(c).and_then(|s| s.proc_mount.as_ref()) {
            if pm != "Default" {
                out.push(
                    Violation::new(
                        format!(
                            "{} must not set securityContext.procMount={pm:?}",
                            describe(c)
                        ),
                        t.container_field(c, "securityContext/procMount"),
                    )
                    .patch_at(t.container_field(c, "")),
                );
            }
        }
    }
}

impl Check for ProcMount {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if super::user_namespaced(t) {
            return;
        }
        violations(t, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_unmasked() {
        let f = run(
            &ProcMount,
            &pod("  containers:\n  - name: c\n    securityContext: {procMount: Unmasked}\n"),
        );
        assert_eq!(
            messages(&f),
            ["container \"c\" must not set securityContext.procMount=\"Unmasked\""]
        );
    }

    #[test]
    fn does_not_fire_on_default_or_user_namespaced_pods() {
        assert!(run(
            &ProcMount,
            &pod("  containers:\n  - name: c\n    securityContext: {procMount: Default}\n")
        )
        .is_empty());
        assert!(run(&ProcMount, &pod("  hostUsers: false\n  containers:\n  - name: c\n    securityContext: {procMount: Unmasked}\n")).is_empty());
    }
}
