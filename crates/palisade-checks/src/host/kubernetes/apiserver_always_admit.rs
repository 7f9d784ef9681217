//! PAL-KNODE-110 — AlwaysAdmit admission plugin enabled (CIS Kubernetes 1.2.10, level 1).
//!
//! **What**: `--enable-admission-plugins` does not include `AlwaysAdmit`.
//! **Why**: AlwaysAdmit turns admission control off.
//! **Remediation**: Remove `AlwaysAdmit` from `--enable-admission-plugins`.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.10.

use super::{flag_list, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverAlwaysAdmit;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-110",
    slug: "apiserver_always_admit",
    title: "AlwaysAdmit admission plugin enabled",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.10",
    level: 1,
    rationale: "AlwaysAdmit turns admission control off.",
    remediation: "Remove `AlwaysAdmit` from `--enable-admission-plugins`.",
    fix: "--enable-admission-plugins=NodeRestriction",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverAlwaysAdmit {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-apiserver",
            "enable-admission-plugins",
            out,
            |pod| {
                flag_list(pod, "enable-admission-plugins")
                    .iter()
                    .any(|p| p == "AlwaysAdmit")
                    .then(|| "the AlwaysAdmit admission plugin is enabled".to_owned())
            },
        );
    }
}
