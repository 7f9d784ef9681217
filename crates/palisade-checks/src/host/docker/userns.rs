//! PAL-DKR-007 — User namespace remapping is off (CIS Docker 2.9, level 2).
//!
//! **What**: the daemon runs containers in a remapped user namespace (`userns-remap`).
//! **Why**: Without it root in a container is root on the host; an escape gives full control.
//! **Example** (fires): no `userns-remap`.
//! **Remediation**: Set `"userns-remap": "default"` (or a dedicated user) and restart the daemon.
//! **References**: CIS Docker Benchmark v1.6.0 2.9.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct UserNamespaces;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-007",
    slug: "userns",
    title: "User namespace remapping is off",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "2.9",
    level: 2,
    rationale: "Without it root in a container is root on the host; an escape gives full control.",
    remediation:
        "Set `\"userns-remap\": \"default\"` (or a dedicated user) and restart the daemon.",
    fix: "{\"userns-remap\": \"default\"}",
    references: &[
        super::CIS_DOCKER,
        "https://docs.docker.com/engine/security/userns-remap/",
    ],
};

impl HostCheck for UserNamespaces {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let on_info = facts
            .security_options()
            .iter()
            .any(|o| o.split(',').any(|p| p == "name=userns"));
        let configured = facts
            .daemon_str("userns-remap", "userns-remap")
            .is_some_and(|v| !v.is_empty());
        if facts.has_docker() && !on_info && !configured {
            out.push(daemon_violation(
                facts,
                "userns-remap",
                "userns-remap",
                "user namespace remapping is off (no userns-remap)",
            ));
        }
    }
}
