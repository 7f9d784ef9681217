//! PAL-KNODE-122 — API server has no service account key file (CIS Kubernetes 1.2.22, level 1).
//!
//! **What**: kube-apiserver runs with `--service-account-key-file` set.
//! **Why**: Without an explicit key, token signing keys cannot be rotated safely.
//! **Remediation**: `--service-account-key-file=/etc/kubernetes/pki/sa.pub` in the kube-apiserver static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.22.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverServiceAccountKey;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-122",
    slug: "apiserver_service_account_key",
    title: "API server has no service account key file",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.22",
    level: 1,
    rationale: "Without an explicit key, token signing keys cannot be rotated safely.",
    remediation: "Set `--service-account-key-file=/etc/kubernetes/pki/sa.pub` in the kube-apiserver manifest.",
    fix: "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverServiceAccountKey {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-apiserver",
            "service-account-key-file",
            out,
            |pod| {
                (flag(pod, "service-account-key-file").is_none())
                    .then(|| "--service-account-key-file not set".to_owned())
            },
        );
    }
}
