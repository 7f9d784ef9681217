//! PAL-DKR-016 — Experimental features are on (CIS Docker 2.18, level 1).
//!
//! **What**: the daemon does not run with `experimental` features.
//! **Why**: Experimental features are not supported, audited or stable; they do not belong in production.
//! **Example** (fires): `"experimental": true`.
//! **Remediation**: Remove `experimental` or set it to `false`.
//! **References**: CIS Docker Benchmark v1.6.0 2.18.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct Experimental;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-016",
    slug: "experimental",
    title: "Experimental features are on",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "2.18",
    level: 1,
    rationale: "Experimental features are not supported, audited or stable; they do not belong in production.",
    remediation: "Remove `experimental` or set it to `false`.",
    fix: "{\"experimental\": false}",
    references: &[super::CIS_DOCKER, super::DOCKERD_DOC],
};

impl HostCheck for Experimental {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let on = facts.info("/ExperimentalBuild").and_then(Value::as_bool) == Some(true)
            || facts.daemon_bool("experimental", "experimental") == Some(true);
        if on {
            out.push(daemon_violation(
                facts,
                "experimental",
                "experimental",
                "experimental features are on",
            ));
        }
    }
}
