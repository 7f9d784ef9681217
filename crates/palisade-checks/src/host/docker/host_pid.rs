//! PAL-DKR-315 — Container shares the host's process namespace (CIS Docker 5.16, level 1).
//!
//! **What**: no container runs with `--pid host`.
//! **Why**: The container sees every host process and, as root, can signal or trace them and read their environment.
//! **Example** (fires): `docker run --pid host`.
//! **Remediation**: Remove `--pid host`.
//! **References**: CIS Docker Benchmark v1.6.0 5.16.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct HostPid;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-315",
    slug: "host_pid",
    title: "Container shares the host's process namespace",
    severity: Severity::High,
    benchmark: Benchmark::CisDocker,
    cis: "5.16",
    level: 1,
    rationale: "The container sees every host process and, as root, can signal or trace them and read their environment.",
    remediation: "Remove `--pid host`.",
    fix: "(no --pid host)",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for HostPid {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/PidMode", |c| {
            (c.host_str("PidMode") == "host")
                .then(|| "shares the host's process namespace".to_owned())
        });
    }
}
