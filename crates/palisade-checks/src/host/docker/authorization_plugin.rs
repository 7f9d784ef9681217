//! PAL-DKR-010 — No authorization plugin controls Docker client commands (CIS Docker 2.12, level 2).
//!
//! **What**: an authorization plugin is configured (`authorization-plugins`) or reported by `docker info`.
//! **Why**: Without one, every user who reaches the socket may do everything, including starting privileged containers.
//! **Example** (fires): no `authorization-plugins`.
//! **Remediation**: Install an authorization plugin (e.g. OPA's docker authz plugin) and list it in `authorization-plugins`.
//! **References**: CIS Docker Benchmark v1.6.0 2.12.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct AuthorizationPlugin;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-010",
    slug: "authorization_plugin",
    title: "No authorization plugin controls Docker client commands",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "2.12",
    level: 2,
    rationale: "Without one, every user who reaches the socket may do everything, including starting privileged containers.",
    remediation: "Install an authorization plugin (e.g. OPA's docker authz plugin) and list it in `authorization-plugins`.",
    fix: "{\"authorization-plugins\": [\"authz-broker\"]}",
    references: &[super::CIS_DOCKER, "https://docs.docker.com/engine/extend/plugins_authorization/"],
};

impl HostCheck for AuthorizationPlugin {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let info = facts
            .info("/Plugins/Authorization")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        if facts.has_docker()
            && !info
            && facts
                .daemon_list("authorization-plugin", "authorization-plugins")
                .is_empty()
        {
            out.push(daemon_violation(
                facts,
                "authorization-plugin",
                "authorization-plugins",
                "no authorization plugin is configured",
            ));
        }
    }
}
