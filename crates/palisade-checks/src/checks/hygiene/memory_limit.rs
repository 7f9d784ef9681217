//! PAL-K8S-038 — Container without a memory limit.
//!
//! **What**: every init and regular container sets `resources.limits.memory`.
//! **Why**: without a limit one container can exhaust the node's memory and get other pods evicted or OOM-killed (denial of service, cryptomining).
//! **Example** (fires): a container with no `resources`.
//! **Remediation**: Set resources.limits.memory (and a matching request).
//! **References**: NSA/CISA "Resource policies"; ATT&CK T1499, T1496.

use crate::check::*;
use palisade_k8s::{ContainerKind, PodTemplate};
use palisade_model::Severity;

pub struct MemoryLimit;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-038",
    slug: "memory_limit",
    title: "Container without a memory limit",
    severity: Severity::Medium,
    category: Category::Hygiene,
    frameworks: Frameworks {
        nsa: &["Resource policies"],
        mitre: &["T1499", "T1496"],
        ..Frameworks::NONE
    },
    rationale: "Unbounded memory use by one container affects every pod on the node.",
    remediation: "Set resources.limits.memory (and a matching request).",
    patch: "resources:\n  limits:\n    memory: 512Mi\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
};

impl Check for MemoryLimit {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::per_container_missing(
            t,
            out,
            |kind| kind != ContainerKind::EphemeralContainer,
            |c| {
                c.resources
                    .as_ref()
                    .and_then(|r| r.limits.as_ref())
                    .is_none_or(|l| !l.contains_key("memory"))
            },
            "memory limit",
            "resources/limits/memory",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires() {
        let f = run(
            &MemoryLimit,
            &pod("  containers:\n  - name: c\n    resources: {requests: {memory: 1Gi}}\n"),
        );
        assert_eq!(messages(&f), ["container \"c\" has no memory limit"]);
        assert_eq!(f[0].patch_at, "/spec/containers/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &MemoryLimit,
            &pod("  containers:\n  - name: c\n    resources: {limits: {memory: 1Gi}}\n")
        )
        .is_empty());
    }
}
