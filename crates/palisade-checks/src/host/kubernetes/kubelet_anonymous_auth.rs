//! PAL-KNODE-001 — Kubelet accepts anonymous requests (CIS Kubernetes 4.2.1, level 1).
//!
//! **What**: the kubelet sets `authentication.anonymous.enabled: false` (`--anonymous-auth=false`).
//! **Why**: Anonymous requests to the kubelet API can list pods and, with a permissive authorizer, exec into them.
//! **Remediation**: Set `authentication: {anonymous: {enabled: false}}` in the kubelet configuration.
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.1.

use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletAnonymousAuth;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-001",
    slug: "kubelet_anonymous_auth",
    title: "Kubelet accepts anonymous requests",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.1",
    level: 1,
    rationale: "Anonymous requests to the kubelet API can list pods and, with a permissive authorizer, exec into them.",
    remediation: "Set `authentication: {anonymous: {enabled: false}}` in the kubelet configuration.",
    fix: "authentication:\n  anonymous:\n    enabled: false",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletAnonymousAuth {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(facts, "anonymous-auth", "/authentication/anonymous/enabled");
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some() && (v.as_deref().map_or(!cfg, |v| v != "false")) {
            out.extend(kubelet_violation(
                facts,
                "anonymous-auth",
                "/authentication/anonymous/enabled",
                format!(
                    "anonymous authentication is on ({})",
                    v.as_deref().unwrap_or("default")
                ),
            ));
        }
    }
}
