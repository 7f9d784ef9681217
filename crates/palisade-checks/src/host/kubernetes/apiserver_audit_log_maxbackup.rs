//! PAL-KNODE-118 — API server keeps too little audit log (audit-log-maxbackup) (CIS Kubernetes 1.2.18, level 1).
//!
//! **What**: `--audit-log-maxbackup` is at least 10.
//! **Why**: Fewer rotated audit files than an investigation needs.
//! **Remediation**: Set `--audit-log-maxbackup=10` or more.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.18.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverAuditLogMaxbackup;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-118",
    slug: "apiserver_audit_log_maxbackup",
    title: "API server keeps too little audit log (audit-log-maxbackup)",
    severity: Severity::Low,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.18",
    level: 1,
    rationale: "Fewer rotated audit files than an investigation needs.",
    remediation: "Set `--audit-log-maxbackup=10` or more.",
    fix: "--audit-log-maxbackup=10",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverAuditLogMaxbackup {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "audit-log-maxbackup", out, |pod| {
            let v = flag(pod, "audit-log-maxbackup");
            (v.as_deref()
                .and_then(|v| v.parse::<u64>().ok())
                .is_none_or(|n| n < 10))
            .then(|| {
                format!(
                    "--audit-log-maxbackup is {}",
                    v.as_deref().unwrap_or("unset")
                )
            })
        });
    }
}
