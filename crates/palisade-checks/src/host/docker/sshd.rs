//! PAL-DKR-307 — sshd runs inside a container (CIS Docker 5.7, level 1).
//!
//! **What**: no process of a container is an SSH daemon.
//! **Why**: An SSH server in a container is another way in, with its own keys and patches to manage, and bypasses Docker's access control.
//! **Example** (fires): a container running `/usr/sbin/sshd`.
//! **Remediation**: Remove sshd; use `docker exec` for debugging.
//! **References**: CIS Docker Benchmark v1.6.0 5.7.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct Sshd;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-307",
    slug: "sshd",
    title: "sshd runs inside a container",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.7",
    level: 1,
    rationale: "An SSH server in a container is another way in, with its own keys and patches to manage, and bypasses Docker's access control.",
    remediation: "Remove sshd; use `docker exec` for debugging.",
    fix: "docker exec -it <container> sh",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for Sshd {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/processes", |c| {
            c.processes()
                .iter()
                .find(|p| {
                    p.split_whitespace()
                        .next()
                        .is_some_and(|bin| bin.rsplit('/').next() == Some("sshd"))
                })
                .map(|p| format!("runs an SSH daemon: {p}"))
        });
    }
}
