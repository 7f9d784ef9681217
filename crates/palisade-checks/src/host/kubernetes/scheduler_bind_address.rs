//! PAL-KNODE-142 — Scheduler listens beyond localhost (CIS Kubernetes 1.4.2, level 1).
//!
//! **What**: `--bind-address` is 127.0.0.1.
//! **Why**: Its metrics and health endpoints should not be reachable from the network.
//! **Remediation**: Set `--bind-address=127.0.0.1`.
//! **References**: CIS Kubernetes Benchmark v1.10 1.4.2.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct SchedulerBindAddress;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-142",
    slug: "scheduler_bind_address",
    title: "Scheduler listens beyond localhost",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.4.2",
    level: 1,
    rationale: "Its metrics and health endpoints should not be reachable from the network.",
    remediation: "Set `--bind-address=127.0.0.1`.",
    fix: "--bind-address=127.0.0.1",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for SchedulerBindAddress {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-scheduler", "bind-address", out, |pod| {
            let a = flag(pod, "bind-address");
            (a.as_deref() != Some("127.0.0.1"))
                .then(|| format!("binds to {}", a.as_deref().unwrap_or("0.0.0.0 (default)")))
        });
    }
}
