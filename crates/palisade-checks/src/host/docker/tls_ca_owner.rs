//! PAL-DKR-109 — The TLS CA certificate is not owned by root:root (CIS Docker 3.9, level 1).
//!
//! **What**: the file is owned by user root and the group the benchmark names.
//! **Why**: The CA decides which clients may use the API.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Change the owner: `chown root:root <tlscacert>`.
//! **References**: CIS Docker Benchmark v1.6.0 3.9.

use super::{check_owner, tls_file, ROOT_ROOT};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct TlsCaOwner;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-109",
    slug: "tls_ca_owner",
    title: "The TLS CA certificate is not owned by root:root",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.9",
    level: 1,
    rationale: "The CA decides which clients may use the API.",
    remediation: "Change the owner: `chown root:root <tlscacert>`.",
    fix: "chown root:root <tlscacert>",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for TlsCaOwner {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_owner(facts, &tls_file(facts, "tlscacert"), ROOT_ROOT, out);
    }
}
