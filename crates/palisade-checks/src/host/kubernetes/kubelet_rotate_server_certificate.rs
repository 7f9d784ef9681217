//! PAL-KNODE-011 — Kubelet serving certificate rotation is off (CIS Kubernetes 4.2.11, level 1).
//!
//! **What**: the `RotateKubeletServerCertificate` feature gate is not false.
//! **Why**: Without rotation the serving certificate expires or is replaced by a self-signed one.
//! **Remediation**: Remove `RotateKubeletServerCertificate: false` from `featureGates`.
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.11.

use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletRotateServerCertificate;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-011",
    slug: "kubelet_rotate_server_certificate",
    title: "Kubelet serving certificate rotation is off",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.11",
    level: 1,
    rationale:
        "Without rotation the serving certificate expires or is replaced by a self-signed one.",
    remediation: "Remove `RotateKubeletServerCertificate: false` from `featureGates`.",
    fix: "featureGates:\n  RotateKubeletServerCertificate: true",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletRotateServerCertificate {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(
            facts,
            "feature-gates",
            "/featureGates/RotateKubeletServerCertificate",
        );
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some()
            && (v.as_deref().is_some_and(|v| {
                v == "false" || v.contains("RotateKubeletServerCertificate=false")
            }))
        {
            out.extend(kubelet_violation(
                facts,
                "feature-gates",
                "/featureGates/RotateKubeletServerCertificate",
                "the RotateKubeletServerCertificate feature gate is false",
            ));
        }
    }
}
