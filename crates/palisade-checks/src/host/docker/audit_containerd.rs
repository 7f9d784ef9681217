//! PAL-DKR-414 — /usr/bin/containerd is not audited (CIS Docker 1.1.14, level 2).
//!
//! **What**: when (in its Debian or upstream location) /usr/bin/containerd exists on the host, an audit rule watches it (`-w PATH -k docker`).
//! **Why**: Docker runs as root; changes to its binaries, configuration and state must leave a trace.
//! **Example** (fires): no `-w` rule for it in `/etc/audit/rules.d/*.rules`.
//! **Remediation**: Add an audit rule and reload auditd (`augenrules --load`).
//! **References**: CIS Docker Benchmark v1.6.0 1.1.14.

use super::{check_audit, existing};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct AuditContainerd;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-414",
    slug: "audit_containerd",
    title: "/usr/bin/containerd is not audited",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "1.1.14",
    level: 2,
    rationale:
        "Docker runs as root; changes to its binaries, configuration and state must leave a trace.",
    remediation: "Add `-w <path> -k docker` to /etc/audit/rules.d/docker.rules and reload auditd.",
    fix: "-w <path> -k docker",
    references: &[
        super::CIS_DOCKER,
        "https://man7.org/linux/man-pages/man7/audit.rules.7.html",
    ],
};

impl HostCheck for AuditContainerd {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_audit(
            facts,
            &existing(facts, &["/usr/bin/containerd", "/usr/sbin/containerd"]),
            out,
        );
    }
}
