//! PAL-KNODE-116 — API server audit log is off (CIS Kubernetes 1.2.16, level 1).
//!
//! **What**: `--audit-log-path` is set.
//! **Why**: Without an audit log nobody can tell who did what to the cluster.
//! **Remediation**: Set `--audit-log-path` (and an `--audit-policy-file`).
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.16.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverAuditLogPath;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-116",
    slug: "apiserver_audit_log_path",
    title: "API server audit log is off",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.16",
    level: 1,
    rationale: "Without an audit log nobody can tell who did what to the cluster.",
    remediation: "Set `--audit-log-path` (and an `--audit-policy-file`).",
    fix: "--audit-log-path=/var/log/kubernetes/audit.log",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverAuditLogPath {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "audit-log-path", out, |pod| {
            flag(pod, "audit-log-path")
                .is_none()
                .then(|| "no audit log".to_owned())
        });
    }
}
