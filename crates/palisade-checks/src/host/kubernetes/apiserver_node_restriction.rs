//! PAL-KNODE-114 — NodeRestriction admission plugin not enabled (CIS Kubernetes 1.2.14, level 1).
//!
//! **What**: `--enable-admission-plugins` includes `NodeRestriction`.
//! **Why**: Without it a kubelet can change other nodes and pods it does not run.
//! **Remediation**: Add `NodeRestriction` to `--enable-admission-plugins`.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.14.

use super::{flag_list, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverNodeRestriction;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-114",
    slug: "apiserver_node_restriction",
    title: "NodeRestriction admission plugin not enabled",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.14",
    level: 1,
    rationale: "Without it a kubelet can change other nodes and pods it does not run.",
    remediation: "Add `NodeRestriction` to `--enable-admission-plugins`.",
    fix: "--enable-admission-plugins=NodeRestriction",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverNodeRestriction {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-apiserver",
            "enable-admission-plugins",
            out,
            |pod| {
                (!flag_list(pod, "enable-admission-plugins")
                    .iter()
                    .any(|p| p == "NodeRestriction"))
                .then(|| "the NodeRestriction admission plugin is not enabled".to_owned())
            },
        );
    }
}
