//! PAL-DKR-014 — The userland proxy is on (CIS Docker 2.16, level 1).
//!
//! **What**: the daemon sets `userland-proxy` to `false` (hairpin NAT instead).
//! **Why**: The proxy is one more process listening on every published port, a larger attack surface than kernel NAT.
//! **Example** (fires): no `"userland-proxy": false`.
//! **Remediation**: Set `"userland-proxy": false`.
//! **References**: CIS Docker Benchmark v1.6.0 2.16.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct UserlandProxy;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-014",
    slug: "userland_proxy",
    title: "The userland proxy is on",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "2.16",
    level: 1,
    rationale: "The proxy is one more process listening on every published port, a larger attack surface than kernel NAT.",
    remediation: "Set `\"userland-proxy\": false`.",
    fix: "{\"userland-proxy\": false}",
    references: &[super::CIS_DOCKER, super::DOCKERD_DOC],
};

impl HostCheck for UserlandProxy {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        if facts.has_docker()
            && facts.daemon_bool("userland-proxy", "userland-proxy") != Some(false)
        {
            out.push(daemon_violation(
                facts,
                "userland-proxy",
                "userland-proxy",
                "the userland proxy is on",
            ));
        }
    }
}
