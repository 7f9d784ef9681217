//! PAL-KNODE-105 — API server does not verify kubelet certificates (CIS Kubernetes 1.2.5, level 1).
//!
//! **What**: kube-apiserver runs with `--kubelet-certificate-authority` set.
//! **Why**: Without it the API server cannot tell a real kubelet from an impostor on the network.
//! **Remediation**: `--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt` in the kube-apiserver static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.5.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverKubeletCa;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-105",
    slug: "apiserver_kubelet_ca",
    title: "API server does not verify kubelet certificates",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.5",
    level: 1,
    rationale: "Without it the API server cannot tell a real kubelet from an impostor on the network.",
    remediation: "Set `--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt` in the kube-apiserver manifest.",
    fix: "--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverKubeletCa {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-apiserver",
            "kubelet-certificate-authority",
            out,
            |pod| {
                (flag(pod, "kubelet-certificate-authority").is_none())
                    .then(|| "--kubelet-certificate-authority not set".to_owned())
            },
        );
    }
}
