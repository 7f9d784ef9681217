//! PAL-KNODE-005 — Kubelet streaming connections never time out (CIS Kubernetes 4.2.5, level 1).
//!
//! **What**: the streaming connection idle timeout is not 0.
//! **Why**: Idle exec/attach/port-forward streams that never close exhaust the node and outlive revoked access.
//! **Remediation**: Set `streamingConnectionIdleTimeout: 5m`.
//! **References**: CIS Kubernetes Benchmark v1.10 4.2.5.

use super::{kubelet_has_config, kubelet_value, kubelet_violation};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct KubeletStreamingTimeout;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-005",
    slug: "kubelet_streaming_timeout",
    title: "Kubelet streaming connections never time out",
    severity: Severity::Low,
    benchmark: Benchmark::CisKubernetes,
    cis: "4.2.5",
    level: 1,
    rationale: "Idle exec/attach/port-forward streams that never close exhaust the node and outlive revoked access.",
    remediation: "Set `streamingConnectionIdleTimeout: 5m`.",
    fix: "streamingConnectionIdleTimeout: 5m",
    references: &[super::CIS_KUBERNETES, super::KUBELET_CONFIG_DOC],
};

impl HostCheck for KubeletStreamingTimeout {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let v = kubelet_value(
            facts,
            "streaming-connection-idle-timeout",
            "/streamingConnectionIdleTimeout",
        );
        let cfg = kubelet_has_config(facts);
        let _ = cfg;
        if facts.kubelet.is_some()
            && (v.as_deref().is_some_and(|v| {
                v.trim_end_matches(|c: char| c.is_ascii_alphabetic())
                    .parse::<f64>()
                    == Ok(0.0)
            }))
        {
            out.extend(kubelet_violation(
                facts,
                "streaming-connection-idle-timeout",
                "/streamingConnectionIdleTimeout",
                "streaming connections never time out (0)",
            ));
        }
    }
}
