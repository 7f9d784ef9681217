//! PAL-DKR-013 — Live restore is off (CIS Docker 2.15, level 1).
//!
//! **What**: the daemon keeps containers running while it restarts (`live-restore`).
//! **Why**: Without it, every daemon upgrade or crash stops every container: an availability risk that discourages patching.
//! **Example** (fires): no `"live-restore": true`.
//! **Remediation**: Set `"live-restore": true`.
//! **References**: CIS Docker Benchmark v1.6.0 2.15.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct LiveRestore;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-013",
    slug: "live_restore",
    title: "Live restore is off",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "2.15",
    level: 1,
    rationale: "Without it, every daemon upgrade or crash stops every container: an availability risk that discourages patching.",
    remediation: "Set `\"live-restore\": true`.",
    fix: "{\"live-restore\": true}",
    references: &[super::CIS_DOCKER, "https://docs.docker.com/engine/daemon/live-restore/"],
};

impl HostCheck for LiveRestore {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let on = facts
            .info("/LiveRestoreEnabled")
            .and_then(Value::as_bool)
            .or_else(|| facts.daemon_bool("live-restore", "live-restore"));
        if facts.has_docker() && on != Some(true) {
            out.push(daemon_violation(
                facts,
                "live-restore",
                "live-restore",
                "live restore is off",
            ));
        }
    }
}
