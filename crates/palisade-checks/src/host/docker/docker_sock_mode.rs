//! PAL-DKR-116 — docker.sock is accessible to others (CIS Docker 3.16, level 1).
//!
//! **What**: no permission bit outside 660 is set.
//! **Why**: Access to the socket is root on the host.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Narrow the mode: `chmod 660 /var/run/docker.sock`.
//! **References**: CIS Docker Benchmark v1.6.0 3.16.

use super::{check_mode, docker_sockets};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DockerSockMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-116",
    slug: "docker_sock_mode",
    title: "docker.sock is accessible to others",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.16",
    level: 1,
    rationale: "Access to the socket is root on the host.",
    remediation: "Narrow the mode: `chmod 660 /var/run/docker.sock`.",
    fix: "chmod 660 /var/run/docker.sock",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for DockerSockMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_mode(facts, &docker_sockets(facts), 0o660, out);
    }
}
