//! PAL-DKR-401 — No separate partition for containers (CIS Docker 1.1.1, level 2).
//!
//! **What**: Docker's root directory (`docker info` DockerRootDir, `/var/lib/docker`) is a mount
//! point of its own.
//! **Why**: containers filling their storage then cannot fill the host's root file system.
//! **Example** (fires): `/var/lib/docker` on the root partition.
//! **Remediation**: Mount a dedicated partition or volume at Docker's root directory.
//! **References**: CIS Docker Benchmark v1.6.0 1.1.1.

use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation, SubjectKind};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct SeparatePartition;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-401",
    slug: "separate_partition",
    title: "No separate partition for containers",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "1.1.1",
    level: 2,
    rationale: "Containers filling their storage must not be able to fill the host's root file system.",
    remediation: "Mount a dedicated partition or logical volume at Docker's root directory (/var/lib/docker).",
    fix: "/dev/vg0/docker  /var/lib/docker  ext4  defaults  0 2",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for SeparatePartition {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        if !facts.has_docker() || facts.mount_points.is_empty() {
            return;
        }
        let root = facts
            .info("/DockerRootDir")
            .and_then(Value::as_str)
            .unwrap_or("/var/lib/docker")
            .trim_end_matches('/');
        if !facts.mount_points.iter().any(|m| m == root) {
            out.push(HostViolation::new(
                SubjectKind::File,
                root,
                format!("{root} is not a mount point of its own"),
                ("/proc/1/mountinfo".to_owned(), 1),
                "/DockerRootDir",
            ));
        }
    }
}
