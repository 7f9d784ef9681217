//! PAL-KNODE-201 — etcd serves without TLS (CIS Kubernetes 2.1, level 1).
//!
//! **What**: etcd has `--cert-file` and `--key-file`.
//! **Why**: Etcd holds every secret of the cluster; without TLS they cross the network in clear text.
//! **Remediation**: Set `--cert-file` and `--key-file`.
//! **References**: CIS Kubernetes Benchmark v1.10 2.1.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct EtcdTls;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-201",
    slug: "etcd_tls",
    title: "etcd serves without TLS",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "2.1",
    level: 1,
    rationale:
        "Etcd holds every secret of the cluster; without TLS they cross the network in clear text.",
    remediation: "Set `--cert-file` and `--key-file`.",
    fix: "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
    references: &[super::CIS_KUBERNETES, super::ETCD_DOC],
};

impl HostCheck for EtcdTls {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "etcd", "cert-file", out, |pod| {
            (flag(pod, "cert-file").is_none() || flag(pod, "key-file").is_none())
                .then(|| "no serving certificate and key".to_owned())
        });
    }
}
