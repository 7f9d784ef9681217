//! PAL-DKR-318 — Mount propagation is shared (CIS Docker 5.20, level 1).
//!
//! **What**: no mount uses `shared` or `rshared` propagation.
//! **Why**: With shared propagation, mounts made in the container appear on the host (and the other way round).
//! **Example** (fires): `-v /mnt:/mnt:rshared`.
//! **Remediation**: Use the default `rprivate` propagation.
//! **References**: CIS Docker Benchmark v1.6.0 5.20.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct MountPropagation;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-318",
    slug: "mount_propagation",
    title: "Mount propagation is shared",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.20",
    level: 1,
    rationale: "With shared propagation, mounts made in the container appear on the host (and the other way round).",
    remediation: "Use the default `rprivate` propagation.",
    fix: "-v /srv/data:/data",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for MountPropagation {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/Mounts", |c| {
            let shared: Vec<&str> = c
                .mounts()
                .iter()
                .filter(|m| {
                    matches!(
                        m.get("Propagation").and_then(Value::as_str),
                        Some("shared" | "rshared")
                    )
                })
                .filter_map(|m| m.get("Destination").and_then(Value::as_str))
                .collect();
            (!shared.is_empty())
                .then(|| format!("mounts with shared propagation: {}", shared.join(", ")))
        });
    }
}
