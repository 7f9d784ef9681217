//! PAL-KNODE-132 — Controller manager profiling is on (CIS Kubernetes 1.3.2, level 1).
//!
//! **What**: the controller manager runs with `--profiling=false`.
//! **Why**: The profiling endpoints reveal internals and cost resources.
//! **Remediation**: Add `--profiling=false`.
//! **References**: CIS Kubernetes Benchmark v1.10 1.3.2.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ControllerManagerProfiling;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-132",
    slug: "controller_manager_profiling",
    title: "Controller manager profiling is on",
    severity: Severity::Low,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.3.2",
    level: 1,
    rationale: "The profiling endpoints reveal internals and cost resources.",
    remediation: "Add `--profiling=false`.",
    fix: "--profiling=false",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ControllerManagerProfiling {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-controller-manager", "profiling", out, |pod| {
            (flag(pod, "profiling").as_deref() != Some("false"))
                .then(|| "profiling is on".to_owned())
        });
    }
}
