//! PAL-KNODE-113 — NamespaceLifecycle admission plugin disabled (CIS Kubernetes 1.2.13, level 1).
//!
//! **What**: kube-apiserver runs with `NamespaceLifecycle` is not in `--disable-admission-plugins`.
//! **Why**: Without it objects can be created in namespaces being deleted or that do not exist.
//! **Remediation**: `(remove NamespaceLifecycle from --disable-admission-plugins)` in the kube-apiserver static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.13.

use super::{flag_list, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverNamespaceLifecycle;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-113",
    slug: "apiserver_namespace_lifecycle",
    title: "NamespaceLifecycle admission plugin disabled",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.13",
    level: 1,
    rationale: "Without it objects can be created in namespaces being deleted or that do not exist.",
    remediation: "Set `(remove NamespaceLifecycle from --disable-admission-plugins)` in the kube-apiserver manifest.",
    fix: "(remove NamespaceLifecycle from --disable-admission-plugins)",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverNamespaceLifecycle {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-apiserver",
            "disable-admission-plugins",
            out,
            |pod| {
                flag_list(pod, "disable-admission-plugins")
                    .iter()
                    .any(|p| p == "NamespaceLifecycle")
                    .then(|| "NamespaceLifecycle is in --disable-admission-plugins".to_owned())
            },
        );
    }
}
