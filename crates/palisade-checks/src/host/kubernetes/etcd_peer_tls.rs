//! PAL-KNODE-204 — etcd peers talk without TLS (CIS Kubernetes 2.4, level 1).
//!
//! **What**: etcd runs with `--peer-cert-file` and `--peer-key-file` set.
//! **Why**: Peer traffic carries the whole cluster state.
//! **Remediation**: `--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt --peer-key-file=/etc/kubernetes/pki/etcd/peer.key` in the etcd static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 2.4.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct EtcdPeerTls;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-204",
    slug: "etcd_peer_tls",
    title: "etcd peers talk without TLS",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "2.4",
    level: 1,
    rationale: "Peer traffic carries the whole cluster state.",
    remediation: "Set `--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt --peer-key-file=/etc/kubernetes/pki/etcd/peer.key` in the etcd manifest.",
    fix: "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt --peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
    references: &[super::CIS_KUBERNETES, super::ETCD_DOC],
};

impl HostCheck for EtcdPeerTls {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "etcd", "peer-cert-file", out, |pod| {
            (flag(pod, "peer-cert-file").is_none() || flag(pod, "peer-key-file").is_none())
                .then(|| "--peer-cert-file and --peer-key-file not both set".to_owned())
        });
    }
}
