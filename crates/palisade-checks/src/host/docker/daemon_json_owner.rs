//! PAL-DKR-117 — daemon.json is not owned by root:root (CIS Docker 3.17, level 1).
//!
//! **What**: the file is owned by user root and the group the benchmark names.
//! **Why**: Daemon.json configures the daemon; whoever can edit it weakens every container.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Change the owner: `chown root:root /etc/docker/daemon.json`.
//! **References**: CIS Docker Benchmark v1.6.0 3.17.

use super::existing;
use super::{check_owner, ROOT_ROOT};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DaemonJsonOwner;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-117",
    slug: "daemon_json_owner",
    title: "daemon.json is not owned by root:root",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.17",
    level: 1,
    rationale: "Daemon.json configures the daemon; whoever can edit it weakens every container.",
    remediation: "Change the owner: `chown root:root /etc/docker/daemon.json`.",
    fix: "chown root:root /etc/docker/daemon.json",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for DaemonJsonOwner {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_owner(
            facts,
            &existing(facts, &["/etc/docker/daemon.json"]),
            ROOT_ROOT,
            out,
        );
    }
}
