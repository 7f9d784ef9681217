//! PAL-DKR-114 — The daemon's TLS key is readable by others (CIS Docker 3.14, level 1).
//!
//! **What**: no permission bit outside 400 is set.
//! **Why**: Whoever reads the key can impersonate the daemon.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Narrow the mode: `chmod 400 <tlskey>`.
//! **References**: CIS Docker Benchmark v1.6.0 3.14.

use super::{check_mode, tls_file};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct TlsKeyMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-114",
    slug: "tls_key_mode",
    title: "The daemon's TLS key is readable by others",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.14",
    level: 1,
    rationale: "Whoever reads the key can impersonate the daemon.",
    remediation: "Narrow the mode: `chmod 400 <tlskey>`.",
    fix: "chmod 400 <tlskey>",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for TlsKeyMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_mode(facts, &tls_file(facts, "tlskey"), 0o400, out);
    }
}
