//! PAL-KNODE-119 — API server keeps too little audit log (audit-log-maxsize) (CIS Kubernetes 1.2.19, level 1).
//!
//! **What**: `--audit-log-maxsize` is at least 100.
//! **Why**: Smaller audit files than an investigation needs.
//! **Remediation**: Set `--audit-log-maxsize=100` or more.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.19.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverAuditLogMaxsize;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-119",
    slug: "apiserver_audit_log_maxsize",
    title: "API server keeps too little audit log (audit-log-maxsize)",
    severity: Severity::Low,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.19",
    level: 1,
    rationale: "Smaller audit files than an investigation needs.",
    remediation: "Set `--audit-log-maxsize=100` or more.",
    fix: "--audit-log-maxsize=100",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverAuditLogMaxsize {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "audit-log-maxsize", out, |pod| {
            let v = flag(pod, "audit-log-maxsize");
            (v.as_deref()
                .and_then(|v| v.parse::<u64>().ok())
                .is_none_or(|n| n < 100))
            .then(|| format!("--audit-log-maxsize is {}", v.as_deref().unwrap_or("unset")))
        });
    }
}
