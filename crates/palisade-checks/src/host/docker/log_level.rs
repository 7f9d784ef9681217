//! PAL-DKR-002 — Daemon log level is not info (CIS Docker 2.3, level 1).
//!
//! **What**: the daemon's `log-level` is unset or `info`.
//! **Why**: `debug` logs far more than needed (sometimes secrets), `warn`/`error`/`fatal` lose the events an investigation needs.
//! **Example** (fires): `"log-level": "debug"`.
//! **Remediation**: Remove `log-level` or set it to `info`.
//! **References**: CIS Docker Benchmark v1.6.0 2.3.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct LogLevel;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-002",
    slug: "log_level",
    title: "Daemon log level is not info",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "2.3",
    level: 1,
    rationale: "`debug` logs far more than needed (sometimes secrets), `warn`/`error`/`fatal` lose the events an investigation needs.",
    remediation: "Remove `log-level` or set it to `info`.",
    fix: "{\"log-level\": \"info\"}",
    references: &[super::CIS_DOCKER, super::DOCKERD_DOC],
};

impl HostCheck for LogLevel {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        if let Some(level) = facts.daemon_str("log-level", "log-level") {
            if level != "info" {
                out.push(daemon_violation(
                    facts,
                    "log-level",
                    "log-level",
                    format!("log level is {level:?}, not \"info\""),
                ));
            }
        }
    }
}
