//! PAL-DKR-320 — Container runs without seccomp (CIS Docker 5.22, level 1).
//!
//! **What**: no container sets `seccomp=unconfined`.
//! **Why**: The default seccomp profile blocks ~44 dangerous syscalls (keyctl, mount, bpf, ...); without it, kernel attack surface is wide open.
//! **Example** (fires): `docker run --security-opt seccomp=unconfined`.
//! **Remediation**: Remove `seccomp=unconfined`; use the default or a custom profile.
//! **References**: CIS Docker Benchmark v1.6.0 5.22.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct SeccompUnconfined;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-320",
    slug: "seccomp_unconfined",
    title: "Container runs without seccomp",
    severity: Severity::High,
    benchmark: Benchmark::CisDocker,
    cis: "5.22",
    level: 1,
    rationale: "The default seccomp profile blocks ~44 dangerous syscalls (keyctl, mount, bpf, ...); without it, kernel attack surface is wide open.",
    remediation: "Remove `seccomp=unconfined`; use the default or a custom profile.",
    fix: "--security-opt seccomp=/etc/docker/seccomp.json",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for SeccompUnconfined {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/SecurityOpt", |c| {
            c.security_opts()
                .iter()
                .any(|(k, v)| *k == "seccomp" && *v == "unconfined")
                .then(|| "runs with seccomp unconfined".to_owned())
        });
    }
}
