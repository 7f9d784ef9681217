//! PAL-DKR-103 — docker.socket is not owned by root:root (CIS Docker 3.3, level 1).
//!
//! **What**: the file is owned by user root and the group the benchmark names.
//! **Why**: The socket unit decides who may reach the API socket.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Change the owner: `chown root:root /lib/systemd/system/docker.socket`.
//! **References**: CIS Docker Benchmark v1.6.0 3.3.

use super::{check_owner, unit_files, ROOT_ROOT};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DockerSocketUnitOwner;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-103",
    slug: "docker_socket_unit_owner",
    title: "docker.socket is not owned by root:root",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.3",
    level: 1,
    rationale: "The socket unit decides who may reach the API socket.",
    remediation: "Change the owner: `chown root:root /lib/systemd/system/docker.socket`.",
    fix: "chown root:root /lib/systemd/system/docker.socket",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for DockerSocketUnitOwner {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_owner(facts, &unit_files(facts, "docker.socket"), ROOT_ROOT, out);
    }
}
