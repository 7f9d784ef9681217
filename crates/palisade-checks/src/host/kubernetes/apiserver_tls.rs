//! PAL-KNODE-124 — API server serves without its own TLS certificate (CIS Kubernetes 1.2.24, level 1).
//!
//! **What**: kube-apiserver runs with `--tls-cert-file` and `--tls-private-key-file` set.
//! **Why**: Without them the API server generates a self-signed certificate clients cannot verify.
//! **Remediation**: `--tls-cert-file=/etc/kubernetes/pki/apiserver.crt --tls-private-key-file=/etc/kubernetes/pki/apiserver.key` in the kube-apiserver static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.24.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverTls;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-124",
    slug: "apiserver_tls",
    title: "API server serves without its own TLS certificate",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.24",
    level: 1,
    rationale: "Without them the API server generates a self-signed certificate clients cannot verify.",
    remediation: "Set `--tls-cert-file=/etc/kubernetes/pki/apiserver.crt --tls-private-key-file=/etc/kubernetes/pki/apiserver.key` in the kube-apiserver manifest.",
    fix: "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt --tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverTls {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "tls-cert-file", out, |pod| {
            (flag(pod, "tls-cert-file").is_none() || flag(pod, "tls-private-key-file").is_none())
                .then(|| "--tls-cert-file and --tls-private-key-file not both set".to_owned())
        });
    }
}
