//! PAL-K8S-069 — UID in the host's range.
//!
//! **What**: `runAsUser` set (pod or container) to a value from 1 to 9999.
//! **Why**: low UIDs are the node's own system and login users; after an escape (or on a
//! host mount) the process acts as that user. UIDs of 10000 and above avoid the overlap.
//! **Example** (fires): `securityContext: {runAsUser: 1000}`.
//! **Remediation**: use a UID of 10000 or more (or user namespaces, `hostUsers: false`).
//! **References**: NSA/CISA "Pod security: non-root containers"; ATT&CK T1611.

use crate::check::*;
use crate::util::{describe, pod_sc, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct LowUid;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-069",
    slug: "low_uid",
    title: "Container UID overlaps the host's users",
    severity: Severity::Low,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        nsa: &["Pod security: non-root containers"],
        mitre: &["T1611"],
        ..Frameworks::NONE
    },
    rationale: "UIDs below 10000 collide with the node's own users.",
    remediation: "Run as a UID of 10000 or more.",
    patch: "securityContext:\n  runAsUser: 10001\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
};

fn low(uid: Option<i64>) -> Option<i64> {
    uid.filter(|u| (1..10000).contains(u))
}

impl Check for LowUid {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if t.spec.host_users == Some(false) {
            return; // mapped to unprivileged host IDs
        }
        if let Some(u) = low(pod_sc(t).and_then(|s| s.run_as_user)) {
            out.push(
                Violation::new(
                    format!("pod runs as UID {u}"),
                    t.spec_field("securityContext/runAsUser"),
                )
                .patch_at(t.spec_pointer),
            );
        }
        for c in t.containers() {
            if let Some(u) = low(sc(c).and_then(|s| s.run_as_user)) {
                out.push(
                    Violation::new(
                        format!("{} runs as UID {u}", describe(c)),
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
    fn fires_on_low_uids() {
        assert_eq!(run(&LowUid, &pod("  securityContext: {runAsUser: 1000}\n  containers:\n  - name: c\n    securityContext: {runAsUser: 33}\n")).len(), 2);
    }

    #[test]
    fn does_not_fire_on_high_uids_root_or_user_namespaces() {
        assert!(run(&LowUid, &pod("  securityContext: {runAsUser: 10001}\n  containers:\n  - name: c\n    securityContext: {runAsUser: 0}\n")).is_empty());
        assert!(run(&LowUid, &pod("  hostUsers: false\n  securityContext: {runAsUser: 1000}\n  containers: [{name: c}]\n")).is_empty());
    }
}
