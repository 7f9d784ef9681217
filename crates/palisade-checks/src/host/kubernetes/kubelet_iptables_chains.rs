//! PAL-KNODE-006 — Kubelet does not manage its iptables chains (CIS Kubernetes 4.2.6, level 1).
//!
//! **What**: the kubelet keeps `makeIPTablesUtilChains` true.
//! **Why**: Hand-maintained chains drift from what the pods need, opening or breaking network policy.
//! **Remediation**: Remove `makeIPTablesUtilChains: false`.
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.6.

use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletIptablesChains;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-006",
    slug: "kubelet_iptables_chains",
    title: "Kubelet does not manage its iptables chains",
    severity: Severity::Low,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.6",
    level: 1,
    rationale:
        "Hand-maintained chains drift from what the pods need, opening or breaking network policy.",
    remediation: "Remove `makeIPTablesUtilChains: false`.",
    fix: "makeIPTablesUtilChains: true",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletIptablesChains {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(
            facts,
            "make-iptables-util-chains",
            "/makeIPTablesUtilChains",
        );
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some() && (v.as_deref() == Some("false")) {
            out.extend(kubelet_violation(
                facts,
                "make-iptables-util-chains",
                "/makeIPTablesUtilChains",
                "makeIPTablesUtilChains is false",
            ));
        }
    }
}
