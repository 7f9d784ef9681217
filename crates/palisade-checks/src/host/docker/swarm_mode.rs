//! PAL-DKR-301 — Swarm mode is on (CIS Docker 5.1, level 1).
//!
//! **What**: the engine is not part of a swarm unless it needs to be.
//! **Why**: Swarm mode opens management ports (2377, 7946, 4789) and keeps cluster secrets on the host.
//! **Example** (fires): `docker swarm init` on a standalone host.
//! **Remediation**: Run `docker swarm leave` on hosts that do not need swarm.
//! **References**: CIS Docker Benchmark v1.6.0 5.1.

use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation, SubjectKind};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct SwarmMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-301",
    slug: "swarm_mode",
    title: "Swarm mode is on",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "5.1",
    level: 1,
    rationale: "Swarm mode opens management ports (2377, 7946, 4789) and keeps cluster secrets on the host.",
    remediation: "Run `docker swarm leave` on hosts that do not need swarm.",
    fix: "docker swarm leave",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for SwarmMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        if facts.info("/Swarm/LocalNodeState").and_then(Value::as_str) == Some("active") {
            out.push(HostViolation::new(
                SubjectKind::DockerDaemon,
                "dockerd",
                "swarm mode is active",
                ("docker-info".to_owned(), 1),
                "/Swarm/LocalNodeState",
            ));
        }
    }
}
