//! PAL-KNODE-012 — Kubelet accepts weak TLS ciphers (CIS Kubernetes 4.2.12, level 1).
//!
//! **What**: the kubelet restricts `tlsCipherSuites` to strong AEAD suites.
//! **Why**: The default list includes CBC and 3DES suites vulnerable to known attacks.
//! **Remediation**: Set `tlsCipherSuites` to the benchmark's strong list.
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.12.

use super::STRONG;
use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletTlsCiphers;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-012",
    slug: "kubelet_tls_ciphers",
    title: "Kubelet accepts weak TLS ciphers",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.12",
    level: 1,
    rationale: "The default list includes CBC and 3DES suites vulnerable to known attacks.",
    remediation: "Set `tlsCipherSuites` to the benchmark's strong list.",
    fix: "tlsCipherSuites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305]",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletTlsCiphers {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(facts, "tls-cipher-suites", "/tlsCipherSuites");
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some()
            && (v
                .as_deref()
                .is_none_or(|v| v.split(',').any(|c| !STRONG.contains(&c.trim()))))
        {
            out.extend(kubelet_violation(
                facts,
                "tls-cipher-suites",
                "/tlsCipherSuites",
                format!(
                    "cipher suites: {}",
                    v.as_deref()
                        .unwrap_or("the defaults, which include weak ones")
                ),
            ));
        }
    }
}
