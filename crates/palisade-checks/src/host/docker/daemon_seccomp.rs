//! PAL-DKR-015 — The daemon-wide seccomp profile is disabled (CIS Docker 2.17, level 2).
//!
//! **What**: the daemon's default seccomp profile is not `unconfined`.
//! **Why**: Seccomp blocks the syscalls most container escapes use; an unconfined default removes it from every container.
//! **Example** (fires): `"seccomp-profile": "unconfined"`.
//! **Remediation**: Remove `seccomp-profile` (Docker's default profile) or point it at a stricter custom profile.
//! **References**: CIS Docker Benchmark v1.6.0 2.17.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct DaemonSeccomp;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-015",
    slug: "daemon_seccomp",
    title: "The daemon-wide seccomp profile is disabled",
    severity: Severity::High,
    benchmark: Benchmark::CisDocker,
    cis: "2.17",
    level: 2,
    rationale: "Seccomp blocks the syscalls most container escapes use; an unconfined default removes it from every container.",
    remediation: "Remove `seccomp-profile` (Docker's default profile) or point it at a stricter custom profile.",
    fix: "{\"seccomp-profile\": \"/etc/docker/seccomp.json\"}",
    references: &[super::CIS_DOCKER, "https://docs.docker.com/engine/security/seccomp/"],
};

impl HostCheck for DaemonSeccomp {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let from_info = facts
            .security_options()
            .iter()
            .any(|o| o.contains("name=seccomp") && o.contains("profile=unconfined"));
        let configured = facts
            .daemon_str("seccomp-profile", "seccomp-profile")
            .as_deref()
            == Some("unconfined");
        if from_info || configured {
            out.push(daemon_violation(
                facts,
                "seccomp-profile",
                "seccomp-profile",
                "the default seccomp profile is unconfined",
            ));
        }
    }
}
