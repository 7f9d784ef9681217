//! PAL-DKR-110 — The TLS CA certificate is writable (CIS Docker 3.10, level 1).
//!
//! **What**: no permission bit outside 444 is set.
//! **Why**: The CA decides which clients may use the API.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Narrow the mode: `chmod 444 <tlscacert>`.
//! **References**: CIS Docker Benchmark v1.6.0 3.10.

use super::{check_mode, tls_file};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct TlsCaMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-110",
    slug: "tls_ca_mode",
    title: "The TLS CA certificate is writable",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.10",
    level: 1,
    rationale: "The CA decides which clients may use the API.",
    remediation: "Narrow the mode: `chmod 444 <tlscacert>`.",
    fix: "chmod 444 <tlscacert>",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for TlsCaMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_mode(facts, &tls_file(facts, "tlscacert"), 0o444, out);
    }
}
