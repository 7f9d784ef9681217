//! PAL-DKR-311 — Container has no CPU priority (CIS Docker 5.12, level 1).
//!
//! **What**: every container sets its CPU weight (`--cpu-shares`) or a CPU limit (`--cpus`).
//! **Why**: Without a weight or limit one busy container starves the others.
//! **Example** (fires): `docker run` without `--cpu-shares` or `--cpus`.
//! **Remediation**: Set `--cpu-shares` (relative weight) or `--cpus`.
//! **References**: CIS Docker Benchmark v1.6.0 5.12.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct CpuShares;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-311",
    slug: "cpu_shares",
    title: "Container has no CPU priority",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "5.12",
    level: 1,
    rationale: "Without a weight or limit one busy container starves the others.",
    remediation: "Set `--cpu-shares` (relative weight) or `--cpus`.",
    fix: "--cpu-shares 512",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for CpuShares {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/CpuShares", |c| {
            let shares = c.host_i64("CpuShares");
            let limited = c.host_i64("NanoCpus") > 0 || c.host_i64("CpuQuota") > 0;
            ((shares == 0 || shares == 1024) && !limited)
                .then(|| "has no CPU shares or CPU limit".to_owned())
        });
    }
}
