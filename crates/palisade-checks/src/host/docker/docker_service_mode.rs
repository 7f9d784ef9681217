//! PAL-DKR-102 — docker.service is writable by others (CIS Docker 3.2, level 1).
//!
//! **What**: no permission bit outside 644 is set.
//! **Why**: The unit file decides how the daemon starts; whoever can edit it runs code as root.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Narrow the mode: `chmod 644 /lib/systemd/system/docker.service`.
//! **References**: CIS Docker Benchmark v1.6.0 3.2.

use super::{check_mode, unit_files};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DockerServiceMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-102",
    slug: "docker_service_mode",
    title: "docker.service is writable by others",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.2",
    level: 1,
    rationale:
        "The unit file decides how the daemon starts; whoever can edit it runs code as root.",
    remediation: "Narrow the mode: `chmod 644 /lib/systemd/system/docker.service`.",
    fix: "chmod 644 /lib/systemd/system/docker.service",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for DockerServiceMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_mode(facts, &unit_files(facts, "docker.service"), 0o644, out);
    }
}
