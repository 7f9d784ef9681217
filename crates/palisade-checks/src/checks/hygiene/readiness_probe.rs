//! PAL-K8S-045 — Container without a readiness probe.
//!
//! **What**: every regular container of a long-running workload (not Jobs and CronJobs) defines `readinessProbe`.
//! **Why**: traffic is sent to the pod before it can serve, and keeps going when it cannot.
//! **Example** (fires): a container without `readinessProbe`.
//! **Remediation**: Add a readinessProbe.
//! **References**: NSA/CISA "Pod security"; ATT&CK T1499.

use crate::check::*;
use palisade_k8s::{ContainerKind, PodTemplate};
use palisade_model::Severity;

pub struct ReadinessProbe;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-045",
    slug: "readiness_probe",
    title: "Container without a readiness probe",
    severity: Severity::Low,
    category: Category::Hygiene,
    frameworks: Frameworks { nsa: &["Pod security"], mitre: &["T1499"], ..Frameworks::NONE },
    rationale: "Without a readiness probe, Services route traffic to pods that are not ready.",
    remediation: "Add a readinessProbe.",
    patch: "readinessProbe:\n  httpGet:\n    path: /ready\n    port: 8080\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"],
};

impl Check for ReadinessProbe {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        // Run-to-completion pods are not probed for traffic or restarted on a hang.
        if matches!(t.owner.kind.as_str(), "Job" | "CronJob") {
            return;
        }
        super::per_container_missing(
            t,
            out,
            |kind| kind == ContainerKind::Container,
            |c| c.readiness_probe.is_none(),
            "readiness probe",
            "readinessProbe",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires() {
        let f = run(&ReadinessProbe, &pod("  containers:\n  - name: c\n"));
        assert_eq!(messages(&f), ["container \"c\" has no readiness probe"]);
        assert_eq!(f[0].patch_at, "/spec/containers/0");
    }

    #[test]
    fn does_not_fire_on_jobs() {
        let job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n";
        assert!(run(&ReadinessProbe, job).is_empty());
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &ReadinessProbe,
            &pod(
                "  containers:\n  - name: c\n    readinessProbe: {httpGet: {path: /, port: 80}}\n"
            )
        )
        .is_empty());
    }
}
