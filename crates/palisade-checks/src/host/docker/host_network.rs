//! PAL-DKR-309 — Container shares the host's network namespace (CIS Docker 5.10, level 1).
//!
//! **What**: no container runs with `--network host`.
//! **Why**: The container sees every host interface and can bind any port or sniff traffic of host services.
//! **Example** (fires): `docker run --network host`.
//! **Remediation**: Use a bridge or user-defined network.
//! **References**: CIS Docker Benchmark v1.6.0 5.10.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct HostNetwork;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-309",
    slug: "host_network",
    title: "Container shares the host's network namespace",
    severity: Severity::High,
    benchmark: Benchmark::CisDocker,
    cis: "5.10",
    level: 1,
    rationale: "The container sees every host interface and can bind any port or sniff traffic of host services.",
    remediation: "Use a bridge or user-defined network.",
    fix: "--network <user-defined network>",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for HostNetwork {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/NetworkMode", |c| {
            (c.host_str("NetworkMode") == "host")
                .then(|| "shares the host's network namespace".to_owned())
        });
    }
}
