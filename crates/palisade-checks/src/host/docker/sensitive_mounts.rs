//! PAL-DKR-306 — Sensitive host directory mounted (CIS Docker 5.6, level 1).
//!
//! **What**: no bind mount of `/`, `/boot`, `/dev`, `/etc`, `/lib`, `/proc`, `/sys` or `/usr` (or below them).
//! **Why**: These directories hold the host's configuration, kernel interfaces and binaries; writing to them is a host compromise, reading them leaks secrets.
//! **Example** (fires): `docker run -v /etc:/host-etc`.
//! **Remediation**: Mount only the application's own data directories.
//! **References**: CIS Docker Benchmark v1.6.0 5.6.

use super::{per_container, sensitive};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct SensitiveMounts;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-306",
    slug: "sensitive_mounts",
    title: "Sensitive host directory mounted",
    severity: Severity::High,
    benchmark: Benchmark::CisDocker,
    cis: "5.6",
    level: 1,
    rationale: "These directories hold the host's configuration, kernel interfaces and binaries; writing to them is a host compromise, reading them leaks secrets.",
    remediation: "Mount only the application's own data directories.",
    fix: "-v /srv/app-data:/data",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for SensitiveMounts {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/Mounts", |c| {
            let hits: Vec<String> = c
                .mounts()
                .iter()
                .filter(|m| m.get("Type").and_then(Value::as_str) == Some("bind"))
                .filter_map(|m| {
                    let src = m.get("Source").and_then(Value::as_str)?;
                    let rw = m.get("RW").and_then(Value::as_bool).unwrap_or(true);
                    sensitive(src).then(|| format!("{src} ({})", if rw { "rw" } else { "ro" }))
                })
                .collect();
            (!hits.is_empty()).then(|| format!("mounts sensitive host paths: {}", hits.join(", ")))
        });
    }
}
