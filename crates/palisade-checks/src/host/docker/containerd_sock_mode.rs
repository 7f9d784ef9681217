//! PAL-DKR-124 — containerd.sock is accessible to others (CIS Docker 3.24, level 1).
//!
//! **What**: no permission bit outside 660 is set.
//! **Why**: Access to containerd's socket is root on the host.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Narrow the mode: `chmod 660 /run/containerd/containerd.sock`.
//! **References**: CIS Docker Benchmark v1.6.0 3.24.

use super::check_mode;
use super::existing;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ContainerdSockMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-124",
    slug: "containerd_sock_mode",
    title: "containerd.sock is accessible to others",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.24",
    level: 1,
    rationale: "Access to containerd's socket is root on the host.",
    remediation: "Narrow the mode: `chmod 660 /run/containerd/containerd.sock`.",
    fix: "chmod 660 /run/containerd/containerd.sock",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for ContainerdSockMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_mode(
            facts,
            &existing(facts, &["/run/containerd/containerd.sock"]),
            0o660,
            out,
        );
    }
}
