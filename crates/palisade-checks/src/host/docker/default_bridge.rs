//! PAL-DKR-325 — Container on the default bridge network (CIS Docker 5.30, level 1).
//!
//! **What**: no container uses the default `docker0` bridge.
//! **Why**: Every container on the default bridge can reach every other one (with icc on) and name resolution between them is missing, inviting legacy `--link`s.
//! **Example** (fires): `docker run` without `--network`.
//! **Remediation**: Create user-defined networks and attach containers to them.
//! **References**: CIS Docker Benchmark v1.6.0 5.30.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DefaultBridge;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-325",
    slug: "default_bridge",
    title: "Container on the default bridge network",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "5.30",
    level: 1,
    rationale: "Every container on the default bridge can reach every other one (with icc on) and name resolution between them is missing, inviting legacy `--link`s.",
    remediation: "Create user-defined networks and attach containers to them.",
    fix: "--network app-net",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for DefaultBridge {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/NetworkMode", |c| {
            matches!(c.host_str("NetworkMode"), "default" | "bridge")
                .then(|| "uses the default bridge network".to_owned())
        });
    }
}
