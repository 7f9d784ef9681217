//! PAL-DKR-115 — docker.sock is not owned by root:docker (CIS Docker 3.15, level 1).
//!
//! **What**: the file is owned by user root and the group the benchmark names.
//! **Why**: Access to the socket is root on the host.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Change the owner: `chown root:docker /var/run/docker.sock`.
//! **References**: CIS Docker Benchmark v1.6.0 3.15.

use super::{check_owner, docker_sockets, Owner};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DockerSockOwner;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-115",
    slug: "docker_sock_owner",
    title: "docker.sock is not owned by root:docker",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.15",
    level: 1,
    rationale: "Access to the socket is root on the host.",
    remediation: "Change the owner: `chown root:docker /var/run/docker.sock`.",
    fix: "chown root:docker /var/run/docker.sock",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for DockerSockOwner {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_owner(
            facts,
            &docker_sockets(facts),
            Owner {
                group: Some("docker"),
            },
            out,
        );
    }
}
