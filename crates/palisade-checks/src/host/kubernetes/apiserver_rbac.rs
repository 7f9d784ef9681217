//! PAL-KNODE-108 — API server does not use RBAC (CIS Kubernetes 1.2.8, level 1).
//!
//! **What**: `--authorization-mode` includes `RBAC`.
//! **Why**: Without RBAC there is no fine-grained access control.
//! **Remediation**: Add `RBAC` to `--authorization-mode`.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.8.

use super::{flag_list, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverRbac;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-108",
    slug: "apiserver_rbac",
    title: "API server does not use RBAC",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.8",
    level: 1,
    rationale: "Without RBAC there is no fine-grained access control.",
    remediation: "Add `RBAC` to `--authorization-mode`.",
    fix: "--authorization-mode=Node,RBAC",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverRbac {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "authorization-mode", out, |pod| {
            (!flag_list(pod, "authorization-mode")
                .iter()
                .any(|m| m == "RBAC"))
            .then(|| "RBAC is not enabled".to_owned())
        });
    }
}
