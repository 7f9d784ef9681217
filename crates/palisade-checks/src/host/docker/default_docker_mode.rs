//! PAL-DKR-120 — /etc/default/docker is writable by others (CIS Docker 3.20, level 1).
//!
//! **What**: no permission bit outside 644 is set.
//! **Why**: It holds the daemon's options on Debian-style systems.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Narrow the mode: `chmod 644 /etc/default/docker`.
//! **References**: CIS Docker Benchmark v1.6.0 3.20.

use super::check_mode;
use super::existing;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DefaultDockerMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-120",
    slug: "default_docker_mode",
    title: "/etc/default/docker is writable by others",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.20",
    level: 1,
    rationale: "It holds the daemon's options on Debian-style systems.",
    remediation: "Narrow the mode: `chmod 644 /etc/default/docker`.",
    fix: "chmod 644 /etc/default/docker",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for DefaultDockerMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_mode(
            facts,
            &existing(facts, &["/etc/default/docker"]),
            0o644,
            out,
        );
    }
}
