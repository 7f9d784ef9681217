//! PAL-DKR-321 — Container uses a custom cgroup parent (CIS Docker 5.25, level 1).
//!
//! **What**: no container sets `--cgroup-parent`.
//! **Why**: A container in another cgroup escapes the limits the daemon's default parent enforces.
//! **Example** (fires): `docker run --cgroup-parent /custom`.
//! **Remediation**: Remove `--cgroup-parent` unless the cgroup was set up for it.
//! **References**: CIS Docker Benchmark v1.6.0 5.25.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ContainerCgroup;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-321",
    slug: "container_cgroup",
    title: "Container uses a custom cgroup parent",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "5.25",
    level: 1,
    rationale:
        "A container in another cgroup escapes the limits the daemon's default parent enforces.",
    remediation: "Remove `--cgroup-parent` unless the cgroup was set up for it.",
    fix: "(no --cgroup-parent)",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for ContainerCgroup {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/CgroupParent", |c| {
            let parent = c.host_str("CgroupParent");
            (!parent.is_empty()).then(|| format!("uses cgroup parent {parent:?}"))
        });
    }
}
