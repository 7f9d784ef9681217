//! PAL-DKR-323 — Container health is not checked (CIS Docker 5.27, level 1).
//!
//! **What**: every running container has a health check.
//! **Why**: Without one a hung or hijacked service is never restarted or noticed.
//! **Example** (fires): a container whose image and run command have no health check.
//! **Remediation**: Add `HEALTHCHECK` to the image or `--health-cmd` to the run command.
//! **References**: CIS Docker Benchmark v1.6.0 5.27.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ContainerHealth;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-323",
    slug: "container_health",
    title: "Container health is not checked",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "5.27",
    level: 1,
    rationale: "Without one a hung or hijacked service is never restarted or noticed.",
    remediation: "Add `HEALTHCHECK` to the image or `--health-cmd` to the run command.",
    fix: "--health-cmd \"curl -f http://localhost/ || exit 1\"",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for ContainerHealth {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/State/Health", |c| {
            c.0.pointer("/State/Health")
                .is_none()
                .then(|| "has no health check".to_owned())
        });
    }
}
