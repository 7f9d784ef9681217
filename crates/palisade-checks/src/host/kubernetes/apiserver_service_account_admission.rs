//! PAL-KNODE-112 — ServiceAccount admission plugin disabled (CIS Kubernetes 1.2.12, level 1).
//!
//! **What**: kube-apiserver runs with `ServiceAccount` is not in `--disable-admission-plugins`.
//! **Why**: Without it pods run without the service account tokens and defaults the cluster expects.
//! **Remediation**: `(remove ServiceAccount from --disable-admission-plugins)` in the kube-apiserver static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.12.

use super::{flag_list, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverServiceAccountAdmission;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-112",
    slug: "apiserver_service_account_admission",
    title: "ServiceAccount admission plugin disabled",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.12",
    level: 1,
    rationale: "Without it pods run without the service account tokens and defaults the cluster expects.",
    remediation: "Set `(remove ServiceAccount from --disable-admission-plugins)` in the kube-apiserver manifest.",
    fix: "(remove ServiceAccount from --disable-admission-plugins)",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverServiceAccountAdmission {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-apiserver",
            "disable-admission-plugins",
            out,
            |pod| {
                flag_list(pod, "disable-admission-plugins")
                    .iter()
                    .any(|p| p == "ServiceAccount")
                    .then(|| "ServiceAccount is in --disable-admission-plugins".to_owned())
            },
        );
    }
}
