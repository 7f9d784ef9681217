//! PAL-K8S-078 — Memory-backed emptyDir without a size limit.
//!
//! **What**: an `emptyDir` volume with `medium: Memory` and no `sizeLimit`.
//! **Why**: a tmpfs volume is node memory; without a limit a pod can fill it and push the node
//! into memory pressure (evicting other pods).
//! **Example** (fires): `emptyDir: {medium: Memory}`.
//! **Remediation**: set `sizeLimit` (and a memory limit on the containers that write to it).
//! **References**: NSA/CISA "Resource policies"; ATT&CK T1499.

use crate::check::*;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct EmptyDirMemory;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-078",
    slug: "emptydir_memory",
    title: "Memory-backed emptyDir without a size limit",
    severity: Severity::Low,
    category: Category::Hygiene,
    frameworks: Frameworks {
        nsa: &["Resource policies"],
        mitre: &["T1499"],
        ..Frameworks::NONE
    },
    rationale: "An unbounded tmpfs volume can consume the node's memory.",
    remediation: "Set emptyDir.sizeLimit on memory-backed volumes.",
    patch: "emptyDir:\n  medium: Memory\n  sizeLimit: 64Mi\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/storage/volumes/#emptydir"],
};

impl Check for EmptyDirMemory {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for (i, v) in t.spec.volumes.iter().flatten().enumerate() {
            if let Some(e) = &v.empty_dir {
                if e.medium.as_deref() == Some("Memory") && e.size_limit.is_none() {
                    out.push(Violation::new(
                        format!("volume {:?} is an unbounded tmpfs", v.name),
                        t.spec_field(&format!("volumes/{i}/emptyDir")),
                    ));
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
    fn fires_on_unbounded_tmpfs() {
        assert_eq!(run(&EmptyDirMemory, &pod("  containers: [{name: c}]\n  volumes: [{name: m, emptyDir: {medium: Memory}}]\n")).len(), 1);
    }

    #[test]
    fn does_not_fire_with_a_limit_or_on_disk() {
        assert!(run(&EmptyDirMemory, &pod("  containers: [{name: c}]\n  volumes: [{name: m, emptyDir: {medium: Memory, sizeLimit: 64Mi}}, {name: d, emptyDir: {}}]\n")).is_empty());
    }
}
