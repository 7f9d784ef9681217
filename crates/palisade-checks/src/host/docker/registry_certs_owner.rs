//! PAL-DKR-107 — Registry certificates are not owned by root:root (CIS Docker 3.7, level 1).
//!
//! **What**: the file is owned by user root and the group the benchmark names.
//! **Why**: A replaced registry CA lets an attacker serve images as the registry.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Change the owner: `chown root:root /etc/docker/certs.d/<registry>/*`.
//! **References**: CIS Docker Benchmark v1.6.0 3.7.

use super::{check_owner, files_under, ROOT_ROOT};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct RegistryCertsOwner;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-107",
    slug: "registry_certs_owner",
    title: "Registry certificates are not owned by root:root",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.7",
    level: 1,
    rationale: "A replaced registry CA lets an attacker serve images as the registry.",
    remediation: "Change the owner: `chown root:root /etc/docker/certs.d/<registry>/*`.",
    fix: "chown root:root /etc/docker/certs.d/<registry>/*",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for RegistryCertsOwner {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_owner(
            facts,
            &files_under(facts, "/etc/docker/certs.d"),
            ROOT_ROOT,
            out,
        );
    }
}
