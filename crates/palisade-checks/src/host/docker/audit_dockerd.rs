//! PAL-DKR-403 — the Docker daemon binary is not audited (CIS Docker 1.1.3, level 2).
//!
//! **What**: when (in its Debian or upstream location) the Docker daemon binary exists on the host, an audit rule watches it (`-w PATH -k docker`).
//! **Why**: Docker runs as root; changes to its binaries, configuration and state must leave a trace.
//! **Example** (fires): no `-w` rule for it in `/etc/audit/rules.d/*.rules`.
//! **Remediation**: Add an audit rule and reload auditd (`augenrules --load`).
//! **References**: CIS Docker Benchmark v1.6.0 1.1.3.

use super::{check_audit, existing};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct AuditDockerd;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-403",
    slug: "audit_dockerd",
    title: "the Docker daemon binary is not audited",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "1.1.3",
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

impl HostCheck for AuditDockerd {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_audit(
            facts,
            &existing(facts, &["/usr/bin/dockerd", "/usr/sbin/dockerd"]),
            out,
        );
    }
}
