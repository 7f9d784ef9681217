//! PAL-K8S-044 — Container without a liveness probe.
//!
//! **What**: every regular container of a long-running workload (not Jobs and CronJobs) defines `livenessProbe`.
//! **Why**: a hung process is never restarted, and a degraded service stays in rotation.
//! **Example** (fires): a container without `livenessProbe`.
//! **Remediation**: Add a livenessProbe (httpGet, tcpSocket, grpc or exec).
//! **References**: NSA/CISA "Pod security"; ATT&CK T1499.

use crate::check::*;
use palisade_k8s::{ContainerKind, PodTemplate};
use palisade_model::Severity;

pub struct LivenessProbe;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-044",
    slug: "liveness_probe",
    title: "Container without a liveness probe",
    severity: Severity::Low,
    category: Category::Hygiene,
    frameworks: Frameworks { nsa: &["Pod security"], mitre: &["T1499"], ..Frameworks::NONE },
    rationale: "Without a liveness probe, Kubernetes cannot restart a container that stopped working.",
    remediation: "Add a livenessProbe (httpGet, tcpSocket, grpc or exec).",
    patch: "livenessProbe:\n  httpGet:\n    path: /healthz\n    port: 8080\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"],
};

impl Check for LivenessProbe {
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
            |c| c.liveness_probe.is_none(),
            "liveness probe",
            "livenessProbe",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires() {
        let f = run(&LivenessProbe, &pod("  containers:\n  - name: c\n"));
        assert_eq!(messages(&f), ["container \"c\" has no liveness probe"]);
        assert_eq!(f[0].patch_at, "/spec/containers/0");
    }

    #[test]
    fn does_not_fire_on_jobs() {
        let job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n";
        assert!(run(&LivenessProbe, job).is_empty());
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &LivenessProbe,
            &pod("  containers:\n  - name: c\n    livenessProbe: {tcpSocket: {port: 80}}\n")
        )
        .is_empty());
    }
}
