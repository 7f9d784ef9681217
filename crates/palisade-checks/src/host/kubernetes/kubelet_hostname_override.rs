//! PAL-KNODE-007 — Kubelet overrides its host name (CIS Kubernetes 4.2.7, level 1).
//!
//! **What**: the kubelet does not set `--hostname-override`.
//! **Why**: An overridden name breaks the TLS identity between the kubelet and the API server.
//! **Remediation**: Remove `--hostname-override`.
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.7.

use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletHostnameOverride;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-007",
    slug: "kubelet_hostname_override",
    title: "Kubelet overrides its host name",
    severity: Severity::Low,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.7",
    level: 1,
    rationale: "An overridden name breaks the TLS identity between the kubelet and the API server.",
    remediation: "Remove `--hostname-override`.",
    fix: "(no --hostname-override)",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletHostnameOverride {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(facts, "hostname-override", "/hostnameOverride");
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some() && (v.as_deref().is_some_and(|v| !v.is_empty())) {
            out.extend(kubelet_violation(
                facts,
                "hostname-override",
                "/hostnameOverride",
                format!(
                    "the host name is overridden to {:?}",
                    v.as_deref().unwrap_or("")
                ),
            ));
        }
    }
}
