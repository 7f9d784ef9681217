//! PAL-DKR-008 — The daemon uses a non-default cgroup parent (CIS Docker 2.10, level 2).
//!
//! **What**: the daemon does not set `cgroup-parent` (its default cgroup is used).
//! **Why**: A custom parent cgroup changes the limits every container inherits; it must be confirmed deliberate.
//! **Example** (fires): `"cgroup-parent": "/batch"`.
//! **Remediation**: Remove `cgroup-parent` unless the cgroup was set up for containers on purpose.
//! **References**: CIS Docker Benchmark v1.6.0 2.10.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct CgroupParent;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-008",
    slug: "cgroup_parent",
    title: "The daemon uses a non-default cgroup parent",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "2.10",
    level: 2,
    rationale: "A custom parent cgroup changes the limits every container inherits; it must be confirmed deliberate.",
    remediation: "Remove `cgroup-parent` unless the cgroup was set up for containers on purpose.",
    fix: "{}",
    references: &[super::CIS_DOCKER, super::DOCKERD_DOC],
};

impl HostCheck for CgroupParent {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        if let Some(parent) = facts.daemon_str("cgroup-parent", "cgroup-parent") {
            out.push(daemon_violation(
                facts,
                "cgroup-parent",
                "cgroup-parent",
                format!("the default cgroup parent is changed to {parent:?}"),
            ));
        }
    }
}
