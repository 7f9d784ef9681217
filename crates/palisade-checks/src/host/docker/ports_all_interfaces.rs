//! PAL-DKR-313 — Port published on every host interface (CIS Docker 5.14, level 1).
//!
//! **What**: every published port is bound to a specific host address (`-p 127.0.0.1:8080:8080`).
//! **Why**: A port on 0.0.0.0 is reachable from every network the host is on, including the ones it should not serve.
//! **Example** (fires): `docker run -p 8080:8080`.
//! **Remediation**: Bind published ports to the interface that should serve them.
//! **References**: CIS Docker Benchmark v1.6.0 5.14.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct PortsAllInterfaces;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-313",
    slug: "ports_all_interfaces",
    title: "Port published on every host interface",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.14",
    level: 1,
    rationale: "A port on 0.0.0.0 is reachable from every network the host is on, including the ones it should not serve.",
    remediation: "Bind published ports to the interface that should serve them.",
    fix: "-p 10.0.0.5:8080:8080",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for PortsAllInterfaces {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/NetworkSettings/Ports", |c| {
            let all: Vec<String> = c
                .published_ports()
                .into_iter()
                .filter(|(_, ip, _)| ip.is_empty() || ip == "0.0.0.0" || ip == "::")
                .map(|(cp, ip, hp)| {
                    format!("{}:{hp}->{cp}", if ip.is_empty() { "0.0.0.0" } else { &ip })
                })
                .collect();
            (!all.is_empty())
                .then(|| format!("publishes ports on all interfaces: {}", all.join(", ")))
        });
    }
}
