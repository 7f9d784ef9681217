//! PAL-DKR-202 — Docker content trust is off (CIS Docker 4.5, level 2).
//!
//! **What**: `DOCKER_CONTENT_TRUST=1` in the environment Docker commands run in.
//! **Why**: Without content trust, `docker pull` and `docker run` accept unsigned images.
//! **Example** (fires): an environment without `DOCKER_CONTENT_TRUST`.
//! **Remediation**: Export `DOCKER_CONTENT_TRUST=1` for every user and service that runs docker.
//! **References**: CIS Docker Benchmark v1.6.0 4.5.

use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation, SubjectKind};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ContentTrust;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-202",
    slug: "content_trust",
    title: "Docker content trust is off",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "4.5",
    level: 2,
    rationale: "Without content trust, `docker pull` and `docker run` accept unsigned images.",
    remediation: "Export `DOCKER_CONTENT_TRUST=1` for every user and service that runs docker.",
    fix: "export DOCKER_CONTENT_TRUST=1",
    references: &[
        super::CIS_DOCKER,
        "https://docs.docker.com/engine/security/trust/",
    ],
};

impl HostCheck for ContentTrust {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        if facts.has_docker() && facts.content_trust.as_deref() != Some("1") {
            out.push(HostViolation::new(
                SubjectKind::DockerDaemon,
                "dockerd",
                "DOCKER_CONTENT_TRUST is not 1",
                ("environment".to_owned(), 1),
                "DOCKER_CONTENT_TRUST",
            ));
        }
    }
}
