//! PAL-KNODE-013 — No PIDs limit per pod (CIS Kubernetes 4.2.13, level 1).
//!
//! **What**: the kubelet sets `podPidsLimit` (not -1).
//! **Why**: A fork bomb in one pod exhausts the node's process table.
//! **Remediation**: Set `podPidsLimit` (e.g. 4096).
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.13.

use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletPodPids;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-013",
    slug: "kubelet_pod_pids",
    title: "No PIDs limit per pod",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.13",
    level: 1,
    rationale: "A fork bomb in one pod exhausts the node's process table.",
    remediation: "Set `podPidsLimit` (e.g. 4096).",
    fix: "podPidsLimit: 4096",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletPodPids {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(facts, "pod-max-pids", "/podPidsLimit");
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some() && (v.as_deref().is_none_or(|v| v == "-1" || v == "0")) {
            out.extend(kubelet_violation(
                facts,
                "pod-max-pids",
                "/podPidsLimit",
                "no PIDs limit per pod",
            ));
        }
    }
}
