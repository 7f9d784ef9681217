//! PAL-KNODE-136 — Kubelet serving certificate rotation disabled in the controller manager (CIS Kubernetes 1.3.6, level 1).
//!
//! **What**: kube-controller-manager runs with `--feature-gates` does not contain `RotateKubeletServerCertificate=false`.
//! **Why**: Without rotation kubelet serving certificates expire or fall back to self-signed ones.
//! **Remediation**: `(remove RotateKubeletServerCertificate=false from --feature-gates)` in the kube-controller-manager static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.3.6.

use super::{flag_list, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ControllerManagerRotateServerCert;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-136",
    slug: "controller_manager_rotate_server_cert",
    title: "Kubelet serving certificate rotation disabled in the controller manager",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.3.6",
    level: 1,
    rationale: "Without rotation kubelet serving certificates expire or fall back to self-signed ones.",
    remediation: "Set `(remove RotateKubeletServerCertificate=false from --feature-gates)` in the kube-controller-manager manifest.",
    fix: "(remove RotateKubeletServerCertificate=false from --feature-gates)",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ControllerManagerRotateServerCert {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-controller-manager",
            "feature-gates",
            out,
            |pod| {
                flag_list(pod, "feature-gates")
                    .iter()
                    .any(|g| g == "RotateKubeletServerCertificate=false")
                    .then(|| "RotateKubeletServerCertificate=false in --feature-gates".to_owned())
            },
        );
    }
}
