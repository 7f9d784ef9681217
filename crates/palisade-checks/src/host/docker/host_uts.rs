//! PAL-DKR-319 — Container shares the host's UTS namespace (CIS Docker 5.21, level 1).
//!
//! **What**: no container runs with `--uts host`.
//! **Why**: The container can change the host's host name and domain name.
//! **Example** (fires): `docker run --uts host`.
//! **Remediation**: Remove `--uts host`.
//! **References**: CIS Docker Benchmark v1.6.0 5.21.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct HostUts;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-319",
    slug: "host_uts",
    title: "Container shares the host's UTS namespace",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.21",
    level: 1,
    rationale: "The container can change the host's host name and domain name.",
    remediation: "Remove `--uts host`.",
    fix: "(no --uts host)",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for HostUts {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/UTSMode", |c| {
            (c.host_str("UTSMode") == "host").then(|| "shares the host's UTS namespace".to_owned())
        });
    }
}
