//! PAL-KNODE-135 — Pods do not get the cluster root CA (CIS Kubernetes 1.3.5, level 1).
//!
//! **What**: kube-controller-manager runs with `--root-ca-file` set.
//! **Why**: Without it pods cannot verify the API server's certificate and may skip verification.
//! **Remediation**: `--root-ca-file=/etc/kubernetes/pki/ca.crt` in the kube-controller-manager static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.3.5.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ControllerManagerRootCa;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-135",
    slug: "controller_manager_root_ca",
    title: "Pods do not get the cluster root CA",
    severity: Severity::Medium,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.3.5",
    level: 1,
    rationale:
        "Without it pods cannot verify the API server's certificate and may skip verification.",
    remediation:
        "Set `--root-ca-file=/etc/kubernetes/pki/ca.crt` in the kube-controller-manager manifest.",
    fix: "--root-ca-file=/etc/kubernetes/pki/ca.crt",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ControllerManagerRootCa {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-controller-manager",
            "root-ca-file",
            out,
            |pod| {
                (flag(pod, "root-ca-file").is_none()).then(|| "--root-ca-file not set".to_owned())
            },
        );
    }
}
