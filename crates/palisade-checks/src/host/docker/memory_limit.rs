//! PAL-DKR-310 — Container has no memory limit (CIS Docker 5.11, level 1).
//!
//! **What**: every container has a memory limit (`--memory`).
//! **Why**: One container can exhaust the host's memory and take every other container and the daemon down.
//! **Example** (fires): `docker run` without `--memory`.
//! **Remediation**: Set `--memory` (and `--memory-swap`).
//! **References**: CIS Docker Benchmark v1.6.0 5.11.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct MemoryLimit;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-310",
    slug: "memory_limit",
    title: "Container has no memory limit",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.11",
    level: 1,
    rationale: "One container can exhaust the host's memory and take every other container and the daemon down.",
    remediation: "Set `--memory` (and `--memory-swap`).",
    fix: "--memory 512m",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for MemoryLimit {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/Memory", |c| {
            (c.host_i64("Memory") == 0).then(|| "has no memory limit".to_owned())
        });
    }
}
