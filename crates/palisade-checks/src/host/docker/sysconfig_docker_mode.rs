//! PAL-DKR-121 — /etc/sysconfig/docker is writable by others (CIS Docker 3.21, level 1).
//!
//! **What**: no permission bit outside 644 is set.
//! **Why**: It holds the daemon's options on Red Hat-style systems.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Narrow the mode: `chmod 644 /etc/sysconfig/docker`.
//! **References**: CIS Docker Benchmark v1.6.0 3.21.

use super::check_mode;
use super::existing;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct SysconfigDockerMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-121",
    slug: "sysconfig_docker_mode",
    title: "/etc/sysconfig/docker is writable by others",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.21",
    level: 1,
    rationale: "It holds the daemon's options on Red Hat-style systems.",
    remediation: "Narrow the mode: `chmod 644 /etc/sysconfig/docker`.",
    fix: "chmod 644 /etc/sysconfig/docker",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for SysconfigDockerMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_mode(
            facts,
            &existing(facts, &["/etc/sysconfig/docker"]),
            0o644,
            out,
        );
    }
}
