//! PAL-KNODE-205 — etcd does not authenticate peers (CIS Kubernetes 2.5, level 1).
//!
//! **What**: etcd runs with `--peer-client-cert-auth=true`.
//! **Why**: An unauthenticated peer can join the etcd cluster and read everything.
//! **Remediation**: Set `--peer-client-cert-auth=true`.
//! **References**: CIS Kubernetes Benchmark v1.10 2.5.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct EtcdPeerClientCertAuth;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-205",
    slug: "etcd_peer_client_cert_auth",
    title: "etcd does not authenticate peers",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "2.5",
    level: 1,
    rationale: "An unauthenticated peer can join the etcd cluster and read everything.",
    remediation: "Set `--peer-client-cert-auth=true`.",
    fix: "--peer-client-cert-auth=true",
    references: &[super::CIS_KUBERNETES, super::ETCD_DOC],
};

impl HostCheck for EtcdPeerClientCertAuth {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "etcd", "peer-client-cert-auth", out, |pod| {
            (flag(pod, "peer-client-cert-auth").as_deref() != Some("true"))
                .then(|| "peer client certificate authentication is off".to_owned())
        });
    }
}
