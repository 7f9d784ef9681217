//! PAL-DKR-108 — Registry certificates are writable (CIS Docker 3.8, level 1).
//!
//! **What**: no permission bit outside 444 is set.
//! **Why**: A replaced registry CA lets an attacker serve images as the registry.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Narrow the mode: `chmod 444 /etc/docker/certs.d/<registry>/*`.
//! **References**: CIS Docker Benchmark v1.6.0 3.8.

use super::{check_mode, files_under};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct RegistryCertsMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-108",
    slug: "registry_certs_mode",
    title: "Registry certificates are writable",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.8",
    level: 1,
    rationale: "A replaced registry CA lets an attacker serve images as the registry.",
    remediation: "Narrow the mode: `chmod 444 /etc/docker/certs.d/<registry>/*`.",
    fix: "chmod 444 /etc/docker/certs.d/<registry>/*",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for RegistryCertsMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_mode(
            facts,
            &files_under(facts, "/etc/docker/certs.d"),
            0o444,
            out,
        );
    }
}
