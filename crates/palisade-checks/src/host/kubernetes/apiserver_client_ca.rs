//! PAL-KNODE-125 — API server has no client CA (CIS Kubernetes 1.2.25, level 1).
//!
//! **What**: kube-apiserver runs with `--client-ca-file` set.
//! **Why**: Without it client certificates cannot be used to authenticate.
//! **Remediation**: `--client-ca-file=/etc/kubernetes/pki/ca.crt` in the kube-apiserver static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.25.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverClientCa;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-125",
    slug: "apiserver_client_ca",
    title: "API server has no client CA",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.25",
    level: 1,
    rationale: "Without it client certificates cannot be used to authenticate.",
    remediation:
        "Set `--client-ca-file=/etc/kubernetes/pki/ca.crt` in the kube-apiserver manifest.",
    fix: "--client-ca-file=/etc/kubernetes/pki/ca.crt",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverClientCa {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "client-ca-file", out, |pod| {
            (flag(pod, "client-ca-file").is_none()).then(|| "--client-ca-file not set".to_owned())
        });
    }
}
