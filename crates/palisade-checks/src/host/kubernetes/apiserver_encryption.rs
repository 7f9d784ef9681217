//! PAL-KNODE-127 — Secrets are not encrypted at rest (CIS Kubernetes 1.2.27, level 1).
//!
//! **What**: `--encryption-provider-config` is set.
//! **Why**: Without it secrets are stored in etcd in clear text; an etcd backup is every secret.
//! **Remediation**: Write an EncryptionConfiguration and set `--encryption-provider-config`.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.27.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverEncryption;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-127",
    slug: "apiserver_encryption",
    title: "Secrets are not encrypted at rest",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.27",
    level: 1,
    rationale:
        "Without it secrets are stored in etcd in clear text; an etcd backup is every secret.",
    remediation: "Write an EncryptionConfiguration and set `--encryption-provider-config`.",
    fix: "--encryption-provider-config=/etc/kubernetes/enc.yaml",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverEncryption {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-apiserver",
            "encryption-provider-config",
            out,
            |pod| {
                flag(pod, "encryption-provider-config")
                    .is_none()
                    .then(|| "no encryption at rest configuration".to_owned())
            },
        );
    }
}
