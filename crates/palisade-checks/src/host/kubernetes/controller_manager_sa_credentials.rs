//! PAL-KNODE-133 — Controllers share one identity (CIS Kubernetes 1.3.3, level 1).
//!
//! **What**: kube-controller-manager runs with `--use-service-account-credentials=true`.
//! **Why**: Without per-controller service accounts every controller runs with the manager's broad rights.
//! **Remediation**: `--use-service-account-credentials=true` in the kube-controller-manager static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.3.3.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ControllerManagerSaCredentials;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-133",
    slug: "controller_manager_sa_credentials",
    title: "Controllers share one identity",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.3.3",
    level: 1,
    rationale: "Without per-controller service accounts every controller runs with the manager's broad rights.",
    remediation: "Set `--use-service-account-credentials=true` in the kube-controller-manager manifest.",
    fix: "--use-service-account-credentials=true",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ControllerManagerSaCredentials {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-controller-manager",
            "use-service-account-credentials",
            out,
            |pod| {
                (flag(pod, "use-service-account-credentials").as_deref() != Some("true"))
                    .then(|| "--use-service-account-credentials is not true".to_owned())
            },
        );
    }
}
