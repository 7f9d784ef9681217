//! PAL-KNODE-003 — Kubelet has no client CA (CIS Kubernetes 4.2.3, level 1).
//!
//! **What**: the kubelet names a client CA (`authentication.x509.clientCAFile`).
//! **Why**: Without it the kubelet cannot authenticate the API server's client certificates.
//! **Remediation**: Set `authentication.x509.clientCAFile`.
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.3.

use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletClientCa;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-003",
    slug: "kubelet_client_ca",
    title: "Kubelet has no client CA",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.3",
    level: 1,
    rationale: "Without it the kubelet cannot authenticate the API server's client certificates.",
    remediation: "Set `authentication.x509.clientCAFile`.",
    fix: "authentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletClientCa {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(facts, "client-ca-file", "/authentication/x509/clientCAFile");
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some() && (v.as_deref().is_none_or(str::is_empty)) {
            out.extend(kubelet_violation(
                facts,
                "client-ca-file",
                "/authentication/x509/clientCAFile",
                "no client CA file",
            ));
        }
    }
}
