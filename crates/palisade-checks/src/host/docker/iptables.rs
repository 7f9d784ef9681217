//! PAL-DKR-003 — Docker may not manage iptables (CIS Docker 2.4, level 1).
//!
//! **What**: the daemon does not set `iptables` to `false`.
//! **Why**: Without it Docker cannot keep the firewall rules of published ports and networks consistent; hand-made rules drift and expose ports.
//! **Example** (fires): `dockerd --iptables=false`.
//! **Remediation**: Remove `--iptables=false` / `"iptables": false`.
//! **References**: CIS Docker Benchmark v1.6.0 2.4.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct Iptables;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-003",
    slug: "iptables",
    title: "Docker may not manage iptables",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "2.4",
    level: 1,
    rationale: "Without it Docker cannot keep the firewall rules of published ports and networks consistent; hand-made rules drift and expose ports.",
    remediation: "Remove `--iptables=false` / `\"iptables\": false`.",
    fix: "{\"iptables\": true}",
    references: &[super::CIS_DOCKER, super::DOCKERD_DOC],
};

impl HostCheck for Iptables {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        if facts.daemon_bool("iptables", "iptables") == Some(false) {
            out.push(daemon_violation(
                facts,
                "iptables",
                "iptables",
                "the daemon may not change iptables (iptables=false)",
            ));
        }
    }
}
