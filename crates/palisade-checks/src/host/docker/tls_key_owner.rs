//! PAL-DKR-113 — The daemon's TLS key is not owned by root:root (CIS Docker 3.13, level 1).
//!
//! **What**: the file is owned by user root and the group the benchmark names.
//! **Why**: Whoever reads the key can impersonate the daemon.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Change the owner: `chown root:root <tlskey>`.
//! **References**: CIS Docker Benchmark v1.6.0 3.13.

use super::{check_owner, tls_file, ROOT_ROOT};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct TlsKeyOwner;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-113",
    slug: "tls_key_owner",
    title: "The daemon's TLS key is not owned by root:root",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.13",
    level: 1,
    rationale: "Whoever reads the key can impersonate the daemon.",
    remediation: "Change the owner: `chown root:root <tlskey>`.",
    fix: "chown root:root <tlskey>",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for TlsKeyOwner {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_owner(facts, &tls_file(facts, "tlskey"), ROOT_ROOT, out);
    }
}
