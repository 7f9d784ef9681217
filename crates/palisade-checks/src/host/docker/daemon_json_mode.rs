//! PAL-DKR-118 — daemon.json is writable by others (CIS Docker 3.18, level 1).
//!
//! **What**: no permission bit outside 644 is set.
//! **Why**: Daemon.json configures the daemon; whoever can edit it weakens every container.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Narrow the mode: `chmod 644 /etc/docker/daemon.json`.
//! **References**: CIS Docker Benchmark v1.6.0 3.18.

use super::check_mode;
use super::existing;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DaemonJsonMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-118",
    slug: "daemon_json_mode",
    title: "daemon.json is writable by others",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.18",
    level: 1,
    rationale: "Daemon.json configures the daemon; whoever can edit it weakens every container.",
    remediation: "Narrow the mode: `chmod 644 /etc/docker/daemon.json`.",
    fix: "chmod 644 /etc/docker/daemon.json",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for DaemonJsonMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_mode(
            facts,
            &existing(facts, &["/etc/docker/daemon.json"]),
            0o644,
            out,
        );
    }
}
