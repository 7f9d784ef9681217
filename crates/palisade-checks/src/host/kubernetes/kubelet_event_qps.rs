//! PAL-KNODE-008 — Kubelet event rate is unlimited (CIS Kubernetes 4.2.8, level 1).
//!
//! **What**: `eventRecordQPS` is not 0 (unlimited).
//! **Why**: An unlimited event rate lets a misbehaving pod flood the API server; too low a rate loses events an investigation needs.
//! **Remediation**: Set `eventRecordQPS` to a positive value (the default is 50).
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.8.

use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletEventQps;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-008",
    slug: "kubelet_event_qps",
    title: "Kubelet event rate is unlimited",
    severity: Severity::Low,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.8",
    level: 1,
    rationale: "An unlimited event rate lets a misbehaving pod flood the API server; too low a rate loses events an investigation needs.",
    remediation: "Set `eventRecordQPS` to a positive value (the default is 50).",
    fix: "eventRecordQPS: 50",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletEventQps {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(facts, "event-qps", "/eventRecordQPS");
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some() && (v.as_deref() == Some("0")) {
            out.extend(kubelet_violation(
                facts,
                "event-qps",
                "/eventRecordQPS",
                "eventRecordQPS is 0 (unlimited)",
            ));
        }
    }
}
