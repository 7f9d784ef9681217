//! PAL-KNODE-117 — API server keeps too little audit log (audit-log-maxage) (CIS Kubernetes 1.2.17, level 1).
//!
//! **What**: `--audit-log-maxage` is at least 30.
//! **Why**: Fewer days of audit log than an investigation needs.
//! **Remediation**: Set `--audit-log-maxage=30` or more.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.17.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverAuditLogMaxage;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-117",
    slug: "apiserver_audit_log_maxage",
    title: "API server keeps too little audit log (audit-log-maxage)",
    severity: Severity::Low,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.17",
    level: 1,
    rationale: "Fewer days of audit log than an investigation needs.",
    remediation: "Set `--audit-log-maxage=30` or more.",
    fix: "--audit-log-maxage=30",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverAuditLogMaxage {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "audit-log-maxage", out, |pod| {
            let v = flag(pod, "audit-log-maxage");
            (v.as_deref()
                .and_then(|v| v.parse::<u64>().ok())
                .is_none_or(|n| n < 30))
            .then(|| format!("--audit-log-maxage is {}", v.as_deref().unwrap_or("unset")))
        });
    }
}
