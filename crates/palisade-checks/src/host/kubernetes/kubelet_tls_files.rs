//! PAL-KNODE-009 — Kubelet serves with a self-signed certificate (CIS Kubernetes 4.2.9, level 1).
//!
//! **What**: the kubelet names its serving certificate and key (`tlsCertFile`, `tlsPrivateKeyFile`) or bootstraps them (`serverTLSBootstrap`).
//! **Why**: A self-signed serving certificate cannot be verified by the API server, inviting man-in-the-middle attacks.
//! **Remediation**: Set `tlsCertFile` and `tlsPrivateKeyFile`, or `serverTLSBootstrap: true`.
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.9.

use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletTlsFiles;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-009",
    slug: "kubelet_tls_files",
    title: "Kubelet serves with a self-signed certificate",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.9",
    level: 1,
    rationale: "A self-signed serving certificate cannot be verified by the API server, inviting man-in-the-middle attacks.",
    remediation: "Set `tlsCertFile` and `tlsPrivateKeyFile`, or `serverTLSBootstrap: true`.",
    fix: "serverTLSBootstrap: true",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletTlsFiles {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(facts, "tls-cert-file", "/tlsCertFile");
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some()
            && ({
                let key = kubelet_value(facts, "tls-private-key-file", "/tlsPrivateKeyFile");
                let boot = kubelet_value(facts, "server-tls-bootstrap", "/serverTLSBootstrap")
                    .as_deref()
                    == Some("true");
                !boot && (v.is_none() || key.is_none())
            })
        {
            out.extend(kubelet_violation(
                facts,
                "tls-cert-file",
                "/tlsCertFile",
                "no serving certificate and key, and no serverTLSBootstrap",
            ));
        }
    }
}
