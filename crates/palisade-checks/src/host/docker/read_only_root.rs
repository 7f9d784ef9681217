//! PAL-DKR-312 — Container root file system is writable (CIS Docker 5.13, level 1).
//!
//! **What**: every container runs with `--read-only`.
//! **Why**: A writable root lets an intruder drop tools and change binaries; a read-only one forces writes into declared volumes.
//! **Example** (fires): `docker run` without `--read-only`.
//! **Remediation**: Run with `--read-only` and mount writable volumes or tmpfs where the application writes.
//! **References**: CIS Docker Benchmark v1.6.0 5.13.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ReadOnlyRoot;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-312",
    slug: "read_only_root",
    title: "Container root file system is writable",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.13",
    level: 1,
    rationale: "A writable root lets an intruder drop tools and change binaries; a read-only one forces writes into declared volumes.",
    remediation: "Run with `--read-only` and mount writable volumes or tmpfs where the application writes.",
    fix: "--read-only --tmpfs /tmp",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for ReadOnlyRoot {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/ReadonlyRootfs", |c| {
            (!c.host_bool("ReadonlyRootfs")).then(|| "has a writable root file system".to_owned())
        });
    }
}
