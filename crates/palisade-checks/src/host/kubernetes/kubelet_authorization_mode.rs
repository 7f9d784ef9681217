//! PAL-KNODE-002 — Kubelet authorizes every request (CIS Kubernetes 4.2.2, level 1).
//!
//! **What**: the kubelet's authorization mode is not `AlwaysAllow`.
//! **Why**: With AlwaysAllow every authenticated (or anonymous) caller may run commands in any pod on the node.
//! **Remediation**: Set `authorization: {mode: Webhook}`.
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.2.

use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletAuthorizationMode;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-002",
    slug: "kubelet_authorization_mode",
    title: "Kubelet authorizes every request",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.2",
    level: 1,
    rationale: "With AlwaysAllow every authenticated (or anonymous) caller may run commands in any pod on the node.",
    remediation: "Set `authorization: {mode: Webhook}`.",
    fix: "authorization:\n  mode: Webhook",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletAuthorizationMode {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(facts, "authorization-mode", "/authorization/mode");
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some() && (v.as_deref().map_or(!cfg, |v| v == "AlwaysAllow")) {
            out.extend(kubelet_violation(
                facts,
                "authorization-mode",
                "/authorization/mode",
                "the authorization mode is AlwaysAllow",
            ));
        }
    }
}
