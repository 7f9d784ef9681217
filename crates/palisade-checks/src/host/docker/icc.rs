//! PAL-DKR-001 — Inter-container traffic on the default bridge is allowed (CIS Docker 2.2, level 1).
//!
//! **What**: the daemon sets `icc` to `false` (flag `--icc=false` or `"icc": false`).
//! **Why**: With icc on, every container on the default bridge can reach every other one; a compromised container can attack its neighbours.
//! **Example** (fires): `dockerd` without `--icc=false`.
//! **Remediation**: Set `"icc": false` in daemon.json and connect containers that must talk through user-defined networks.
//! **References**: CIS Docker Benchmark v1.6.0 2.2.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct Icc;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-001",
    slug: "icc",
    title: "Inter-container traffic on the default bridge is allowed",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "2.2",
    level: 1,
    rationale: "With icc on, every container on the default bridge can reach every other one; a compromised container can attack its neighbours.",
    remediation: "Set `\"icc\": false` in daemon.json and connect containers that must talk through user-defined networks.",
    fix: "{\"icc\": false}",
    references: &[super::CIS_DOCKER, super::DOCKERD_DOC],
};

impl HostCheck for Icc {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        if facts.has_docker() && facts.daemon_bool("icc", "icc") != Some(false) {
            out.push(daemon_violation(
                facts,
                "icc",
                "icc",
                "inter-container communication on the default bridge is on (icc is not false)",
            ));
        }
    }
}
