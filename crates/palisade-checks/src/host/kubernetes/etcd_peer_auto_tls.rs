//! PAL-KNODE-206 — etcd uses self-signed peer TLS (CIS Kubernetes 2.6, level 1).
//!
//! **What**: etcd does not set `--peer-auto-tls=true`.
//! **Why**: Self-signed peer certificates cannot be verified.
//! **Remediation**: Remove `--peer-auto-tls`.
//! **References**: CIS Kubernetes Benchmark v1.10 2.6.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct EtcdPeerAutoTls;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-206",
    slug: "etcd_peer_auto_tls",
    title: "etcd uses self-signed peer TLS",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "2.6",
    level: 1,
    rationale: "Self-signed peer certificates cannot be verified.",
    remediation: "Remove `--peer-auto-tls`.",
    fix: "--peer-auto-tls=false",
    references: &[super::CIS_KUBERNETES, super::ETCD_DOC],
};

impl HostCheck for EtcdPeerAutoTls {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "etcd", "peer-auto-tls", out, |pod| {
            (flag(pod, "peer-auto-tls").as_deref() == Some("true"))
                .then(|| "peer auto-tls is on".to_owned())
        });
    }
}
