//! PAL-KNODE-203 — etcd uses self-signed client TLS (CIS Kubernetes 2.3, level 1).
//!
//! **What**: etcd does not set `--auto-tls=true`.
//! **Why**: Self-signed certificates cannot be verified by clients.
//! **Remediation**: Remove `--auto-tls`.
//! **References**: CIS Kubernetes Benchmark v1.10 2.3.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct EtcdAutoTls;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-203",
    slug: "etcd_auto_tls",
    title: "etcd uses self-signed client TLS",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "2.3",
    level: 1,
    rationale: "Self-signed certificates cannot be verified by clients.",
    remediation: "Remove `--auto-tls`.",
    fix: "--auto-tls=false",
    references: &[super::CIS_KUBERNETES, super::ETCD_DOC],
};

impl HostCheck for EtcdAutoTls {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "etcd", "auto-tls", out, |pod| {
            (flag(pod, "auto-tls").as_deref() == Some("true")).then(|| "auto-tls is on".to_owned())
        });
    }
}
