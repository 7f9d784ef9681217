//! PAL-DKR-119 — /etc/default/docker is not owned by root:root (CIS Docker 3.19, level 1).
//!
//! **What**: the file is owned by user root and the group the benchmark names.
//! **Why**: It holds the daemon's options on Debian-style systems.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Change the owner: `chown root:root /etc/default/docker`.
//! **References**: CIS Docker Benchmark v1.6.0 3.19.

use super::existing;
use super::{check_owner, ROOT_ROOT};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DefaultDockerOwner;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-119",
    slug: "default_docker_owner",
    title: "/etc/default/docker is not owned by root:root",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.19",
    level: 1,
    rationale: "It holds the daemon's options on Debian-style systems.",
    remediation: "Change the owner: `chown root:root /etc/default/docker`.",
    fix: "chown root:root /etc/default/docker",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for DefaultDockerOwner {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_owner(
            facts,
            &existing(facts, &["/etc/default/docker"]),
            ROOT_ROOT,
            out,
        );
    }
}
