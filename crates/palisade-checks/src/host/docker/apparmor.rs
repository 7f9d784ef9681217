//! PAL-DKR-302 — Container without an AppArmor profile (CIS Docker 5.2, level 1).
//!
//! **What**: on hosts with AppArmor, every container runs under a profile (not `unconfined`).
//! **Why**: AppArmor confines what a compromised process may touch even as root.
//! **Example** (fires): `docker run --security-opt apparmor=unconfined`.
//! **Remediation**: Run with Docker's default profile or `--security-opt apparmor=<profile>`.
//! **References**: CIS Docker Benchmark v1.6.0 5.2.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct AppArmor;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-302",
    slug: "apparmor",
    title: "Container without an AppArmor profile",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.2",
    level: 1,
    rationale: "AppArmor confines what a compromised process may touch even as root.",
    remediation: "Run with Docker's default profile or `--security-opt apparmor=<profile>`.",
    fix: "--security-opt apparmor=docker-default",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for AppArmor {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/AppArmorProfile", |c| {
            let profile =
                c.0.get("AppArmorProfile")
                    .and_then(Value::as_str)
                    .unwrap_or("");
            let host_has = facts
                .security_options()
                .iter()
                .any(|o| o.contains("name=apparmor"));
            let explicit = c
                .security_opts()
                .iter()
                .any(|(k, v)| *k == "apparmor" && *v == "unconfined");
            (explicit || (host_has && (profile.is_empty() || profile == "unconfined"))).then(|| {
                format!(
                    "runs without an AppArmor profile ({})",
                    if profile.is_empty() { "none" } else { profile }
                )
            })
        });
    }
}
