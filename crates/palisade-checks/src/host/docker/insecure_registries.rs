//! PAL-DKR-004 — Insecure registries are configured (CIS Docker 2.5, level 1).
//!
//! **What**: no `insecure-registries` besides the loopback range the daemon always allows.
//! **Why**: Images from an insecure registry travel without TLS verification: anyone on the path can swap them.
//! **Example** (fires): `"insecure-registries": ["registry.local:5000"]`.
//! **Remediation**: Remove every entry of `insecure-registries` and give the registries valid certificates.
//! **References**: CIS Docker Benchmark v1.6.0 2.5.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct InsecureRegistries;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-004",
    slug: "insecure_registries",
    title: "Insecure registries are configured",
    severity: Severity::High,
    benchmark: Benchmark::CisDocker,
    cis: "2.5",
    level: 1,
    rationale: "Images from an insecure registry travel without TLS verification: anyone on the path can swap them.",
    remediation: "Remove every entry of `insecure-registries` and give the registries valid certificates.",
    fix: "{\"insecure-registries\": []}",
    references: &[super::CIS_DOCKER, super::DOCKERD_DOC],
};

impl HostCheck for InsecureRegistries {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let mut registries = facts.daemon_list("insecure-registry", "insecure-registries");
        if let Some(index) = facts
            .info("/RegistryConfig/IndexConfigs")
            .and_then(Value::as_object)
        {
            for (name, cfg) in index {
                if cfg.get("Secure").and_then(Value::as_bool) == Some(false)
                    && !registries.contains(name)
                {
                    registries.push(name.clone());
                }
            }
        }
        registries.retain(|r| r != "127.0.0.0/8" && r != "::1/128");
        if !registries.is_empty() {
            out.push(daemon_violation(
                facts,
                "insecure-registry",
                "insecure-registries",
                format!("insecure registries: {}", registries.join(", ")),
            ));
        }
    }
}
