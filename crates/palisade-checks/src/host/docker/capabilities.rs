//! PAL-DKR-304 — Container adds Linux capabilities (CIS Docker 5.4, level 1).
//!
//! **What**: no capability is added beyond Docker's default set (`--cap-add`).
//! **Why**: Added capabilities (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, ...) give a container kernel powers that enable escapes.
//! **Example** (fires): `docker run --cap-add SYS_ADMIN`.
//! **Remediation**: Remove `--cap-add`; start from `--cap-drop ALL` and add back only what the process needs.
//! **References**: CIS Docker Benchmark v1.6.0 5.4.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct Capabilities;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-304",
    slug: "capabilities",
    title: "Container adds Linux capabilities",
    severity: Severity::High,
    benchmark: Benchmark::CisDocker,
    cis: "5.4",
    level: 1,
    rationale: "Added capabilities (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, ...) give a container kernel powers that enable escapes.",
    remediation: "Remove `--cap-add`; start from `--cap-drop ALL` and add back only what the process needs.",
    fix: "--cap-drop ALL",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for Capabilities {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/CapAdd", |c| {
            let added = c.host_list("CapAdd");
            (!added.is_empty()).then(|| format!("adds capabilities {}", added.join(", ")))
        });
    }
}
