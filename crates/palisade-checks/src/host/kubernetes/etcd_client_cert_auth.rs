//! PAL-KNODE-202 — etcd does not authenticate clients (CIS Kubernetes 2.2, level 1).
//!
//! **What**: etcd runs with `--client-cert-auth=true`.
//! **Why**: Without client certificates anyone who reaches etcd reads and writes the whole cluster state.
//! **Remediation**: Set `--client-cert-auth=true` and `--trusted-ca-file`.
//! **References**: CIS Kubernetes Benchmark v1.10 2.2.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct EtcdClientCertAuth;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-202",
    slug: "etcd_client_cert_auth",
    title: "etcd does not authenticate clients",
    severity: Severity::Critical,
    benchmark: Benchmark::CisKubernetes,
    cis: "2.2",
    level: 1,
    rationale: "Without client certificates anyone who reaches etcd reads and writes the whole cluster state.",
    remediation: "Set `--client-cert-auth=true` and `--trusted-ca-file`.",
    fix: "--client-cert-auth=true",
    references: &[super::CIS_KUBERNETES, super::ETCD_DOC],
};

impl HostCheck for EtcdClientCertAuth {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "etcd", "client-cert-auth", out, |pod| {
            (flag(pod, "client-cert-auth").as_deref() != Some("true"))
                .then(|| "client certificate authentication is off".to_owned())
        });
    }
}
