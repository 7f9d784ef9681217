//! PAL-DKR-322 — Container may acquire new privileges (CIS Docker 5.26, level 1).
//!
//! **What**: every container runs with `no-new-privileges` (its own option or the daemon's default).
//! **Why**: Setuid binaries and file capabilities let a process gain privileges it did not start with.
//! **Example** (fires): `docker run` without `--security-opt no-new-privileges`.
//! **Remediation**: Run with `--security-opt no-new-privileges` or set it as the daemon default.
//! **References**: CIS Docker Benchmark v1.6.0 5.26.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct NoNewPrivileges;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-322",
    slug: "no_new_privileges",
    title: "Container may acquire new privileges",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.26",
    level: 1,
    rationale:
        "Setuid binaries and file capabilities let a process gain privileges it did not start with.",
    remediation: "Run with `--security-opt no-new-privileges` or set it as the daemon default.",
    fix: "--security-opt no-new-privileges",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for NoNewPrivileges {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/SecurityOpt", |c| {
            let daemon = facts.daemon_bool("no-new-privileges", "no-new-privileges") == Some(true);
            let own = c
                .security_opts()
                .iter()
                .any(|(k, v)| *k == "no-new-privileges" && (v.is_empty() || *v == "true"));
            (!daemon && !own)
                .then(|| "may acquire new privileges (no no-new-privileges)".to_owned())
        });
    }
}
