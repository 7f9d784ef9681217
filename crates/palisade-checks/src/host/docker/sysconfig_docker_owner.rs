//! PAL-DKR-122 — /etc/sysconfig/docker is not owned by root:root (CIS Docker 3.22, level 1).
//!
//! **What**: the file is owned by user root and the group the benchmark names.
//! **Why**: It holds the daemon's options on Red Hat-style systems.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Change the owner: `chown root:root /etc/sysconfig/docker`.
//! **References**: CIS Docker Benchmark v1.6.0 3.22.

use super::existing;
use super::{check_owner, ROOT_ROOT};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct SysconfigDockerOwner;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-122",
    slug: "sysconfig_docker_owner",
    title: "/etc/sysconfig/docker is not owned by root:root",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.22",
    level: 1,
    rationale: "It holds the daemon's options on Red Hat-style systems.",
    remediation: "Change the owner: `chown root:root /etc/sysconfig/docker`.",
    fix: "chown root:root /etc/sysconfig/docker",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for SysconfigDockerOwner {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_owner(
            facts,
            &existing(facts, &["/etc/sysconfig/docker"]),
            ROOT_ROOT,
            out,
        );
    }
}
