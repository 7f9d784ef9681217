//! PAL-KNODE-115 — API server profiling is on (CIS Kubernetes 1.2.15, level 1).
//!
//! **What**: the API server runs with `--profiling=false`.
//! **Why**: The profiling endpoints reveal internals and cost resources.
//! **Remediation**: Add `--profiling=false`.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.15.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverProfiling;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-115",
    slug: "apiserver_profiling",
    title: "API server profiling is on",
    severity: Severity::Low,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.15",
    level: 1,
    rationale: "The profiling endpoints reveal internals and cost resources.",
    remediation: "Add `--profiling=false`.",
    fix: "--profiling=false",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverProfiling {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "profiling", out, |pod| {
            (flag(pod, "profiling").as_deref() != Some("false"))
                .then(|| "profiling is on".to_owned())
        });
    }
}
