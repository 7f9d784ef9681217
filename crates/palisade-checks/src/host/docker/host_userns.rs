//! PAL-DKR-326 — Container shares the host's user namespace (CIS Docker 5.31, level 1).
//!
//! **What**: no container runs with `--userns host` when the daemon remaps users.
//! **Why**: The container's root becomes the host's root again.
//! **Example** (fires): `docker run --userns host`.
//! **Remediation**: Remove `--userns host`.
//! **References**: CIS Docker Benchmark v1.6.0 5.31.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct HostUserns;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-326",
    slug: "host_userns",
    title: "Container shares the host's user namespace",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.31",
    level: 1,
    rationale: "The container's root becomes the host's root again.",
    remediation: "Remove `--userns host`.",
    fix: "(no --userns host)",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for HostUserns {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/UsernsMode", |c| {
            (c.host_str("UsernsMode") == "host")
                .then(|| "shares the host's user namespace".to_owned())
        });
    }
}
