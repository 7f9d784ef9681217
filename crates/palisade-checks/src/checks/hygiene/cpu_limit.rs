//! PAL-K8S-039 — Container without a CPU limit.
//!
//! **What**: every init and regular container sets `resources.limits.cpu`.
//! **Why**: without a limit a container can take all the node's CPU (cryptomining is the usual abuse).
//! **Example** (fires): a container with only `requests`.
//! **Remediation**: Set resources.limits.cpu, or enforce a LimitRange in the namespace.
//! **References**: NSA/CISA "Resource policies"; ATT&CK T1496.

use crate::check::*;
use palisade_k8s::{ContainerKind, PodTemplate};
use palisade_model::Severity;

pub struct CpuLimit;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-039",
    slug: "cpu_limit",
    title: "Container without a CPU limit",
    severity: Severity::Low,
    category: Category::Hygiene,
    frameworks: Frameworks {
        nsa: &["Resource policies"],
        mitre: &["T1496"],
        ..Frameworks::NONE
    },
    rationale: "Unbounded CPU use starves other workloads on the node.",
    remediation: "Set resources.limits.cpu, or enforce a LimitRange in the namespace.",
    patch: "resources:\n  limits:\n    cpu: 500m\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
};

impl Check for CpuLimit {
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
                    .is_none_or(|l| !l.contains_key("cpu"))
            },
            "CPU limit",
            "resources/limits/cpu",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires() {
        let f = run(&CpuLimit, &pod("  containers:\n  - name: c\n"));
        assert_eq!(messages(&f), ["container \"c\" has no CPU limit"]);
        assert_eq!(f[0].patch_at, "/spec/containers/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &CpuLimit,
            &pod("  containers:\n  - name: c\n    resources: {limits: {cpu: 100m}}\n")
        )
        .is_empty());
    }
}
