//! PAL-K8S-040 — Container without CPU and memory requests.
//!
//! **What**: every init and regular container sets `resources.requests.cpu` and `.memory` (a limit alone implies the request).
//! **Why**: without requests the scheduler cannot place the pod sensibly and it is the first to be evicted under pressure.
//! **Example** (fires): a container without `resources`.
//! **Remediation**: Set resources.requests.cpu and resources.requests.memory.
//! **References**: NSA/CISA "Resource policies"; ATT&CK T1499.

use crate::check::*;
use crate::util::describe;
use palisade_k8s::{ContainerKind, PodTemplate};
use palisade_model::Severity;

pub struct ResourceRequests;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-040",
    slug: "resource_requests",
    title: "Container without CPU and memory requests",
    severity: Severity::Low,
    category: Category::Hygiene,
    frameworks: Frameworks { nsa: &["Resource policies"], mitre: &["T1499"], ..Frameworks::NONE },
    rationale: "Requests let the scheduler reserve capacity; without them pods are overcommitted and evicted first.",
    remediation: "Set resources.requests.cpu and resources.requests.memory.",
    patch: "resources:\n  requests:\n    cpu: 100m\n    memory: 128Mi\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
};

impl Check for ResourceRequests {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for c in t.containers() {
            if c.kind != ContainerKind::EphemeralContainer
                && ["cpu", "memory"].iter().any(|k| {
                    c.container.resources.as_ref().is_none_or(|r| {
                        !r.requests.as_ref().is_some_and(|q| q.contains_key(*k))
                            && !r.limits.as_ref().is_some_and(|q| q.contains_key(*k))
                    })
                })
            {
                out.push(
                    Violation::new(
                        format!("{} does not request both CPU and memory", describe(c)),
                        t.container_field(c, "resources/requests"),
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
    fn fires() {
        let f = run(
            &ResourceRequests,
            &pod("  containers:\n  - name: c\n    resources: {requests: {cpu: 100m}}\n"),
        );
        assert_eq!(
            messages(&f),
            ["container \"c\" does not request both CPU and memory"]
        );
        assert_eq!(f[0].patch_at, "/spec/containers/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(&ResourceRequests, &pod("  containers:\n  - name: c\n    resources: {requests: {cpu: 100m, memory: 64Mi}}\n")).is_empty());
    }
}
