//! PAL-DKR-305 — Privileged container (CIS Docker 5.5, level 1).
//!
//! **What**: no container runs with `--privileged`.
//! **Why**: A privileged container has every capability and device and no seccomp or AppArmor confinement: it is root on the host.
//! **Example** (fires): `docker run --privileged`.
//! **Remediation**: Remove `--privileged`; grant only the capabilities and devices needed.
//! **References**: CIS Docker Benchmark v1.6.0 5.5.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct Privileged;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-305",
    slug: "privileged",
    title: "Privileged container",
    severity: Severity::Critical,
    benchmark: Benchmark::CisDocker,
    cis: "5.5",
    level: 1,
    rationale: "A privileged container has every capability and device and no seccomp or AppArmor confinement: it is root on the host.",
    remediation: "Remove `--privileged`; grant only the capabilities and devices needed.",
    fix: "--cap-add <only what is needed>",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for Privileged {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/Privileged", |c| {
            c.host_bool("Privileged")
                .then(|| "runs privileged".to_owned())
        });
    }
}
