//! PAL-K8S-016 — Running as UID 0 (PSS restricted, `runAsUser`).
//!
//! **What**: `runAsUser` on the pod and on every container must not be `0` (unset is
//! allowed). User-namespaced pods (`hostUsers: false`) are exempt since policy v1.35.
//! **Why**: an explicit UID 0 defeats `runAsNonRoot` and runs the process as root.
//! **Example** (fires): `securityContext: {runAsUser: 0}`.
//! **Remediation**: use a non-zero UID (e.g. 10001).
//! **References**: PSS restricted (Running as Non-root user); CIS 5.2.7; ATT&CK T1611.

use crate::check::*;
use crate::util::{describe, pod_sc, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct RunAsUser;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-016",
    slug: "run_as_user",
    title: "Container runs as UID 0",
    severity: Severity::Medium,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Restricted),
        pss_control: Some("runAsUser"),
        cis: &["5.2.7"],
        nsa: &["Pod security: non-root containers"],
        mitre: &["T1611"],
    },
    rationale: "runAsUser: 0 runs the container's process as root.",
    remediation:
        "Set runAsUser to a non-zero UID, or remove it and rely on the image's non-root USER.",
    patch: "securityContext:\n  runAsUser: 10001\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

impl Check for RunAsUser {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if super::user_namespaced(t) {
            return;
        }
        if pod_sc(t).and_then(|s| s.run_as_user) == Some(0) {
            out.push(
                Violation::new(
                    "pod must not set securityContext.runAsUser=0",
                    t.spec_field("securityContext/runAsUser"),
                )
                .patch_at(t.spec_pointer),
            );
        }
        for c in t.containers() {
            if sc(c).and_then(|s| s.run_as_user) == Some(0) {
                out.push(
                    Violation::new(
                        format!("{} must not set securityContext.runAsUser=0", describe(c)),
                        t.container_field(c, "securityContext/runAsUser"),
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
    fn fires_on_uid_zero() {
        let f = run(&RunAsUser, &pod("  securityContext: {runAsUser: 0}\n  containers:\n  - name: a\n    securityContext: {runAsUser: 0}\n"));
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn does_not_fire_on_other_uids_or_unset() {
        assert!(run(
            &RunAsUser,
            &pod("  securityContext: {runAsUser: 1000}\n  containers: [{name: a}]\n")
        )
        .is_empty());
        assert!(run(&RunAsUser, &pod("  hostUsers: false\n  containers:\n  - name: a\n    securityContext: {runAsUser: 0}\n")).is_empty());
    }
}
