//! PAL-KNODE-010 — Kubelet client certificate rotation is off (CIS Kubernetes 4.2.10, level 1).
//!
//! **What**: `rotateCertificates` is not false.
//! **Why**: Without rotation an expiring client certificate is replaced by hand, or the node falls out of the cluster.
//! **Remediation**: Remove `rotateCertificates: false` (or set it to true).
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.10.

use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletRotateCertificates;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-010",
    slug: "kubelet_rotate_certificates",
    title: "Kubelet client certificate rotation is off",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.10",
    level: 1,
    rationale: "Without rotation an expiring client certificate is replaced by hand, or the node falls out of the cluster.",
    remediation: "Remove `rotateCertificates: false` (or set it to true).",
    fix: "rotateCertificates: true",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletRotateCertificates {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(facts, "rotate-certificates", "/rotateCertificates");
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some() && (v.as_deref() == Some("false")) {
            out.extend(kubelet_violation(
                facts,
                "rotate-certificates",
                "/rotateCertificates",
                "client certificate rotation is off",
            ));
        }
    }
}
