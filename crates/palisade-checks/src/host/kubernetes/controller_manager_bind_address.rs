//! PAL-KNODE-137 — Controller manager listens beyond localhost (CIS Kubernetes 1.3.7, level 1).
//!
//! **What**: `--bind-address` is 127.0.0.1.
//! **Why**: Its metrics and health endpoints should not be reachable from the network.
//! **Remediation**: Set `--bind-address=127.0.0.1`.
//! **References**: CIS Kubernetes Benchmark v1.10 1.3.7.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ControllerManagerBindAddress;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-137",
    slug: "controller_manager_bind_address",
    title: "Controller manager listens beyond localhost",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.3.7",
    level: 1,
    rationale: "Its metrics and health endpoints should not be reachable from the network.",
    remediation: "Set `--bind-address=127.0.0.1`.",
    fix: "--bind-address=127.0.0.1",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ControllerManagerBindAddress {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-controller-manager",
            "bind-address",
            out,
            |pod| {
                let a = flag(pod, "bind-address");
                (a.as_deref() != Some("127.0.0.1"))
                    .then(|| format!("binds to {}", a.as_deref().unwrap_or("0.0.0.0 (default)")))
            },
        );
    }
}
