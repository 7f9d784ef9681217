//! PAL-DKR-106 — /etc/docker is writable by others (CIS Docker 3.6, level 1).
//!
//! **What**: no permission bit outside 755 is set.
//! **Why**: /etc/docker holds the daemon configuration, certificates and keys.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Narrow the mode: `chmod 755 /etc/docker`.
//! **References**: CIS Docker Benchmark v1.6.0 3.6.

use super::check_mode;
use super::existing;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct EtcDockerMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-106",
    slug: "etc_docker_mode",
    title: "/etc/docker is writable by others",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.6",
    level: 1,
    rationale: "/etc/docker holds the daemon configuration, certificates and keys.",
    remediation: "Narrow the mode: `chmod 755 /etc/docker`.",
    fix: "chmod 755 /etc/docker",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for EtcDockerMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_mode(facts, &existing(facts, &["/etc/docker"]), 0o755, out);
    }
}
