//! PAL-K8S-054 — Containers share the pod's process namespace.
//!
//! **What**: `shareProcessNamespace: true` on the pod spec.
//! **Why**: every container can then see and signal the others' processes and read their
//! `/proc/<pid>/root` and environment, including a sidecar's secrets.
//! **Example** (fires): `spec: {shareProcessNamespace: true}`.
//! **Remediation**: remove it; use ephemeral debug containers when needed.
//! **References**: NSA/CISA "Pod security"; ATT&CK T1055.

use crate::check::*;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct ShareProcessNamespace;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-054",
    slug: "share_process_namespace",
    title: "Pod shares its process namespace between containers",
    severity: Severity::Medium,
    category: Category::PodSecurity,
    frameworks: Frameworks { nsa: &["Pod security"], mitre: &["T1055"], ..Frameworks::NONE },
    rationale: "A shared process namespace lets each container inspect and signal the other containers' processes.",
    remediation: "Remove shareProcessNamespace (or set it to false).",
    patch: "shareProcessNamespace: false\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/"],
};

impl Check for ShareProcessNamespace {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if t.spec.share_process_namespace == Some(true) {
            out.push(
                Violation::new(
                    "shareProcessNamespace=true",
                    t.spec_field("shareProcessNamespace"),
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
    fn fires_when_shared() {
        assert_eq!(
            run(
                &ShareProcessNamespace,
                &pod("  shareProcessNamespace: true\n  containers: [{name: c}]\n")
            )
            .len(),
            1
        );
    }

    #[test]
    fn does_not_fire_by_default() {
        assert!(run(&ShareProcessNamespace, &pod("  containers: [{name: c}]\n")).is_empty());
    }
}
