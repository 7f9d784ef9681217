//! PAL-KNODE-106 — API server authorizes every request (CIS Kubernetes 1.2.6, level 1).
//!
//! **What**: `--authorization-mode` is set and does not include `AlwaysAllow`.
//! **Why**: AlwaysAllow lets every authenticated user do everything.
//! **Remediation**: Set `--authorization-mode=Node,RBAC`.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.6.

use super::{flag_list, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverAlwaysAllow;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-106",
    slug: "apiserver_always_allow",
    title: "API server authorizes every request",
    severity: Severity::Critical,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.6",
    level: 1,
    rationale: "AlwaysAllow lets every authenticated user do everything.",
    remediation: "Set `--authorization-mode=Node,RBAC`.",
    fix: "--authorization-mode=Node,RBAC",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverAlwaysAllow {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "authorization-mode", out, |pod| {
            let modes = flag_list(pod, "authorization-mode");
            (modes.is_empty() || modes.iter().any(|m| m == "AlwaysAllow")).then(|| {
                format!(
                    "authorization mode {}",
                    if modes.is_empty() {
                        "AlwaysAllow (default)".to_owned()
                    } else {
                        modes.join(",")
                    }
                )
            })
        });
    }
}
