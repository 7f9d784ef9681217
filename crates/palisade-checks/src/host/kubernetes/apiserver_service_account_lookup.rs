//! PAL-KNODE-121 — Deleted service account tokens stay valid (CIS Kubernetes 1.2.21, level 1).
//!
//! **What**: kube-apiserver runs with `--service-account-lookup` is not false.
//! **Why**: Without the lookup a token keeps working after its service account is deleted.
//! **Remediation**: `--service-account-lookup=true` in the kube-apiserver static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.21.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverServiceAccountLookup;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-121",
    slug: "apiserver_service_account_lookup",
    title: "Deleted service account tokens stay valid",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.21",
    level: 1,
    rationale: "Without the lookup a token keeps working after its service account is deleted.",
    remediation: "Set `--service-account-lookup=true` in the kube-apiserver manifest.",
    fix: "--service-account-lookup=true",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverServiceAccountLookup {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-apiserver",
            "service-account-lookup",
            out,
            |pod| {
                (flag(pod, "service-account-lookup").as_deref() == Some("false"))
                    .then(|| "--service-account-lookup is false".to_owned())
            },
        );
    }
}
