//! PAL-DKR-005 — The aufs storage driver is used (CIS Docker 2.6, level 1).
//!
//! **What**: the storage driver `docker info` reports is not `aufs`.
//! **Why**: Aufs is deprecated, unmaintained and has known kernel crashes and isolation bugs.
//! **Example** (fires): `"storage-driver": "aufs"`.
//! **Remediation**: Use `overlay2`.
//! **References**: CIS Docker Benchmark v1.6.0 2.6.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct Aufs;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-005",
    slug: "aufs",
    title: "The aufs storage driver is used",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "2.6",
    level: 1,
    rationale: "Aufs is deprecated, unmaintained and has known kernel crashes and isolation bugs.",
    remediation: "Use `overlay2`.",
    fix: "{\"storage-driver\": \"overlay2\"}",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for Aufs {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let driver = facts
            .info("/Driver")
            .and_then(|v| v.as_str().map(str::to_owned))
            .or_else(|| facts.daemon_str("storage-driver", "storage-driver"));
        if driver.as_deref() == Some("aufs") {
            out.push(daemon_violation(
                facts,
                "storage-driver",
                "storage-driver",
                "the storage driver is aufs",
            ));
        }
    }
}
