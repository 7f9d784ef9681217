//! PAL-DKR-324 — Container has no PIDs limit (CIS Docker 5.29, level 1).
//!
//! **What**: every container has `--pids-limit`.
//! **Why**: A fork bomb in one container exhausts the host's process table.
//! **Example** (fires): `docker run` without `--pids-limit`.
//! **Remediation**: Set `--pids-limit` (e.g. 100).
//! **References**: CIS Docker Benchmark v1.6.0 5.29.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct PidsLimit;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-324",
    slug: "pids_limit",
    title: "Container has no PIDs limit",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.29",
    level: 1,
    rationale: "A fork bomb in one container exhausts the host's process table.",
    remediation: "Set `--pids-limit` (e.g. 100).",
    fix: "--pids-limit 100",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for PidsLimit {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/PidsLimit", |c| {
            (c.host_i64("PidsLimit") <= 0).then(|| "has no PIDs limit".to_owned())
        });
    }
}
