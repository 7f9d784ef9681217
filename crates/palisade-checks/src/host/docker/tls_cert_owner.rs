//! PAL-DKR-111 — The daemon's TLS certificate is not owned by root:root (CIS Docker 3.11, level 1).
//!
//! **What**: the file is owned by user root and the group the benchmark names.
//! **Why**: A replaced server certificate lets an attacker impersonate the daemon.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Change the owner: `chown root:root <tlscert>`.
//! **References**: CIS Docker Benchmark v1.6.0 3.11.

use super::{check_owner, tls_file, ROOT_ROOT};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct TlsCertOwner;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-111",
    slug: "tls_cert_owner",
    title: "The daemon's TLS certificate is not owned by root:root",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.11",
    level: 1,
    rationale: "A replaced server certificate lets an attacker impersonate the daemon.",
    remediation: "Change the owner: `chown root:root <tlscert>`.",
    fix: "chown root:root <tlscert>",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for TlsCertOwner {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_owner(facts, &tls_file(facts, "tlscert"), ROOT_ROOT, out);
    }
}
