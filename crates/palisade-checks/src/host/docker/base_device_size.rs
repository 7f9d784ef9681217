//! PAL-DKR-009 — The storage base device size is changed (CIS Docker 2.11, level 2).
//!
//! **What**: no `dm.basesize` storage option.
//! **Why**: A larger base device lets one container fill the disk.
//! **Example** (fires): `--storage-opt dm.basesize=50G`.
//! **Remediation**: Remove `dm.basesize` unless needed.
//! **References**: CIS Docker Benchmark v1.6.0 2.11.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct BaseDeviceSize;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-009",
    slug: "base_device_size",
    title: "The storage base device size is changed",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "2.11",
    level: 2,
    rationale: "A larger base device lets one container fill the disk.",
    remediation: "Remove `dm.basesize` unless needed.",
    fix: "{\"storage-opts\": []}",
    references: &[super::CIS_DOCKER, super::DOCKERD_DOC],
};

impl HostCheck for BaseDeviceSize {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let opts = facts.daemon_list("storage-opt", "storage-opts");
        if let Some(o) = opts.iter().find(|o| o.starts_with("dm.basesize")) {
            out.push(daemon_violation(
                facts,
                "storage-opt",
                "storage-opts",
                format!("the base device size is changed ({o})"),
            ));
        }
    }
}
