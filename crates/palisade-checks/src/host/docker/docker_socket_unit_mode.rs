//! PAL-DKR-104 — docker.socket is writable by others (CIS Docker 3.4, level 1).
//!
//! **What**: no permission bit outside 644 is set.
//! **Why**: The socket unit decides who may reach the API socket.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Narrow the mode: `chmod 644 /lib/systemd/system/docker.socket`.
//! **References**: CIS Docker Benchmark v1.6.0 3.4.

use super::{check_mode, unit_files};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DockerSocketUnitMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-104",
    slug: "docker_socket_unit_mode",
    title: "docker.socket is writable by others",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.4",
    level: 1,
    rationale: "The socket unit decides who may reach the API socket.",
    remediation: "Narrow the mode: `chmod 644 /lib/systemd/system/docker.socket`.",
    fix: "chmod 644 /lib/systemd/system/docker.socket",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for DockerSocketUnitMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_mode(facts, &unit_files(facts, "docker.socket"), 0o644, out);
    }
}
