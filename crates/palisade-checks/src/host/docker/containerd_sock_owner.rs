//! PAL-DKR-123 — containerd.sock is not owned by root:root (CIS Docker 3.23, level 1).
//!
//! **What**: the file is owned by user root and the group the benchmark names.
//! **Why**: Access to containerd's socket is root on the host.
//! **Example** (fires): the file exists with a different owner or a wider mode.
//! **Remediation**: Change the owner: `chown root:root /run/containerd/containerd.sock`.
//! **References**: CIS Docker Benchmark v1.6.0 3.23.

use super::existing;
use super::{check_owner, ROOT_ROOT};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ContainerdSockOwner;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-123",
    slug: "containerd_sock_owner",
    title: "containerd.sock is not owned by root:root",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "3.23",
    level: 1,
    rationale: "Access to containerd's socket is root on the host.",
    remediation: "Change the owner: `chown root:root /run/containerd/containerd.sock`.",
    fix: "chown root:root /run/containerd/containerd.sock",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for ContainerdSockOwner {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        check_owner(
            facts,
            &existing(facts, &["/run/containerd/containerd.sock"]),
            ROOT_ROOT,
            out,
        );
    }
}
