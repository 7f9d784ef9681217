//! PAL-KNODE-134 — Controller manager has no service account signing key (CIS Kubernetes 1.3.4, level 1).
//!
//! **What**: kube-controller-manager runs with `--service-account-private-key-file` set.
//! **Why**: Service account tokens cannot be signed with a key that can be rotated.
//! **Remediation**: `--service-account-private-key-file=/etc/kubernetes/pki/sa.key` in the kube-controller-manager static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.3.4.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ControllerManagerSaKey;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-134",
    slug: "controller_manager_sa_key",
    title: "Controller manager has no service account signing key",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.3.4",
    level: 1,
    rationale: "Service account tokens cannot be signed with a key that can be rotated.",
    remediation: "Set `--service-account-private-key-file=/etc/kubernetes/pki/sa.key` in the kube-controller-manager manifest.",
    fix: "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ControllerManagerSaKey {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-controller-manager",
            "service-account-private-key-file",
            out,
            |pod| {
                (flag(pod, "service-account-private-key-file").is_none())
                    .then(|| "--service-account-private-key-file not set".to_owned())
            },
        );
    }
}
