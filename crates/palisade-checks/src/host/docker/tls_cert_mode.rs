//! PAL-DKR-112 — The daemon's TLS certificate is writable (CIS Docker 3.12, level 1).
//!
//! **What**: no permission bit outside 444 is set.
//! **Why**: A replaced server certificate lets an attacker impersonate the daemon.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Narrow the mode: `chmod 444 <tlscert>`.
//! **References**: CIS Docker Benchmark v1.6.0 3.12.

use super::{check_mode, tls_file};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct TlsCertMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-112",
    slug: "tls_cert_mode",
    title: "The daemon's TLS certificate is writable",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.12",
    level: 1,
    rationale: "A replaced server certificate lets an attacker impersonate the daemon.",
    remediation: "Narrow the mode: `chmod 444 <tlscert>`.",
    fix: "chmod 444 <tlscert>",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for TlsCertMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_mode(facts, &tls_file(facts, "tlscert"), 0o444, out);
    }
}
