//! PAL-KNODE-107 — API server does not use the Node authorizer (CIS Kubernetes 1.2.7, level 1).
//!
//! **What**: `--authorization-mode` includes `Node`.
//! **Why**: Without it a kubelet can read every secret in the cluster, not only its pods'.
//! **Remediation**: Add `Node` to `--authorization-mode`.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.7.

use super::{flag_list, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverNodeAuthorizer;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-107",
    slug: "apiserver_node_authorizer",
    title: "API server does not use the Node authorizer",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.7",
    level: 1,
    rationale: "Without it a kubelet can read every secret in the cluster, not only its pods'.",
    remediation: "Add `Node` to `--authorization-mode`.",
    fix: "--authorization-mode=Node,RBAC",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverNodeAuthorizer {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "authorization-mode", out, |pod| {
            (!flag_list(pod, "authorization-mode")
                .iter()
                .any(|m| m == "Node"))
            .then(|| "the Node authorizer is not enabled".to_owned())
        });
    }
}
