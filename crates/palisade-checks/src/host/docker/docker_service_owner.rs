//! PAL-DKR-101 — docker.service is not owned by root:root (CIS Docker 3.1, level 1).
//!
//! **What**: the file is owned by user root and the group the benchmark names.
//! **Why**: The unit file decides how the daemon starts; whoever can edit it runs code as root.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Change the owner: `chown root:root /lib/systemd/system/docker.service`.
//! **References**: CIS Docker Benchmark v1.6.0 3.1.

use super::{check_owner, unit_files, ROOT_ROOT};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DockerServiceOwner;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-101",
    slug: "docker_service_owner",
    title: "docker.service is not owned by root:root",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.1",
    level: 1,
    rationale:
        "The unit file decides how the daemon starts; whoever can edit it runs code as root.",
    remediation: "Change the owner: `chown root:root /lib/systemd/system/docker.service`.",
    fix: "chown root:root /lib/systemd/system/docker.service",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for DockerServiceOwner {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_owner(facts, &unit_files(facts, "docker.service"), ROOT_ROOT, out);
    }
}
