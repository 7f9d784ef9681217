//! PAL-DKR-012 — Containers may acquire new privileges by default (CIS Docker 2.14, level 1).
//!
//! **What**: the daemon sets `no-new-privileges` for every container.
//! **Why**: Setuid binaries and file capabilities let a process in a container gain privileges it did not start with.
//! **Example** (fires): no `"no-new-privileges": true`.
//! **Remediation**: Set `"no-new-privileges": true` in daemon.json.
//! **References**: CIS Docker Benchmark v1.6.0 2.14.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DaemonNoNewPrivileges;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-012",
    slug: "daemon_no_new_privileges",
    title: "Containers may acquire new privileges by default",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "2.14",
    level: 1,
    rationale: "Setuid binaries and file capabilities let a process in a container gain privileges it did not start with.",
    remediation: "Set `\"no-new-privileges\": true` in daemon.json.",
    fix: "{\"no-new-privileges\": true}",
    references: &[super::CIS_DOCKER, super::DOCKERD_DOC],
};

impl HostCheck for DaemonNoNewPrivileges {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        if facts.has_docker()
            && facts.daemon_bool("no-new-privileges", "no-new-privileges") != Some(true)
        {
            out.push(daemon_violation(
                facts,
                "no-new-privileges",
                "no-new-privileges",
                "no-new-privileges is not the daemon default",
            ));
        }
    }
}
