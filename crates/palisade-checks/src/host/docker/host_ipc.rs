//! PAL-DKR-316 — Container shares the host's IPC namespace (CIS Docker 5.17, level 1).
//!
//! **What**: no container runs with `--ipc host`.
//! **Why**: Shared memory and semaphores of host processes become readable and writable from the container.
//! **Example** (fires): `docker run --ipc host`.
//! **Remediation**: Remove `--ipc host`.
//! **References**: CIS Docker Benchmark v1.6.0 5.17.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct HostIpc;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-316",
    slug: "host_ipc",
    title: "Container shares the host's IPC namespace",
    severity: Severity::High,
    benchmark: Benchmark::CisDocker,
    cis: "5.17",
    level: 1,
    rationale: "Shared memory and semaphores of host processes become readable and writable from the container.",
    remediation: "Remove `--ipc host`.",
    fix: "--ipc private",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for HostIpc {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/IpcMode", |c| {
            (c.host_str("IpcMode") == "host").then(|| "shares the host's IPC namespace".to_owned())
        });
    }
}
