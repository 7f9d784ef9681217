//! PAL-DKR-105 — /etc/docker is not owned by root:root (CIS Docker 3.5, level 1).
//!
//! **What**: the file is owned by user root and the group the benchmark names.
//! **Why**: /etc/docker holds the daemon configuration, certificates and keys.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Change the owner: `chown root:root /etc/docker`.
//! **References**: CIS Docker Benchmark v1.6.0 3.5.

use super::existing;
use super::{check_owner, ROOT_ROOT};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct EtcDockerOwner;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-105",
    slug: "etc_docker_owner",
    title: "/etc/docker is not owned by root:root",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.5",
    level: 1,
    rationale: "/etc/docker holds the daemon configuration, certificates and keys.",
    remediation: "Change the owner: `chown root:root /etc/docker`.",
    fix: "chown root:root /etc/docker",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for EtcDockerOwner {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_owner(facts, &existing(facts, &["/etc/docker"]), ROOT_ROOT, out);
    }
}
