//! PAL-KNODE-004 — Kubelet read-only port is open (CIS Kubernetes 4.2.4, level 1).
//!
//! **What**: the kubelet's read-only port is 0.
//! **Why**: The read-only port (10255) serves pod and node data without any authentication.
//! **Remediation**: Set `readOnlyPort: 0`.
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.4.

use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletReadOnlyPort;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-004",
    slug: "kubelet_read_only_port",
    title: "Kubelet read-only port is open",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.4",
    level: 1,
    rationale: "The read-only port (10255) serves pod and node data without any authentication.",
    remediation: "Set `readOnlyPort: 0`.",
    fix: "readOnlyPort: 0",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletReadOnlyPort {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(facts, "read-only-port", "/readOnlyPort");
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some() && (v.as_deref().map_or(!cfg, |v| v != "0")) {
            out.extend(kubelet_violation(
                facts,
                "read-only-port",
                "/readOnlyPort",
                format!(
                    "the read-only port is {}",
                    v.as_deref().unwrap_or("10255 (default)")
                ),
            ));
        }
    }
}
