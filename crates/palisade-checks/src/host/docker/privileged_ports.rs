//! PAL-DKR-308 — Privileged host port published (CIS Docker 5.8, level 1).
//!
//! **What**: no container port is published on a host port below 1024.
//! **Why**: Ports below 1024 are trusted as root-owned services by many clients; a container should not take them.
//! **Example** (fires): `docker run -p 80:8080`.
//! **Remediation**: Publish on a port of 1024 or above (and put a proxy in front).
//! **References**: CIS Docker Benchmark v1.6.0 5.8.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct PrivilegedPorts;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-308",
    slug: "privileged_ports",
    title: "Privileged host port published",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.8",
    level: 1,
    rationale: "Ports below 1024 are trusted as root-owned services by many clients; a container should not take them.",
    remediation: "Publish on a port of 1024 or above (and put a proxy in front).",
    fix: "-p 8080:8080",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for PrivilegedPorts {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/NetworkSettings/Ports", |c| {
            let low: Vec<String> = c
                .published_ports()
                .into_iter()
                .filter(|(_, _, hp)| hp.parse::<u32>().is_ok_and(|p| p > 0 && p < 1024))
                .map(|(cp, ip, hp)| {
                    format!("{}:{hp}->{cp}", if ip.is_empty() { "0.0.0.0" } else { &ip })
                })
                .collect();
            (!low.is_empty())
                .then(|| format!("publishes privileged host ports: {}", low.join(", ")))
        });
    }
}
