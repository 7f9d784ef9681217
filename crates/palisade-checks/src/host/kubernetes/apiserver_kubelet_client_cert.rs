//! PAL-KNODE-104 — API server talks to kubelets without a client certificate (CIS Kubernetes 1.2.4, level 1).
//!
//! **What**: kube-apiserver runs with `--kubelet-client-certificate` and `--kubelet-client-key` set.
//! **Why**: Without a client certificate the kubelets cannot authenticate the API server's requests (exec, logs, port-forward).
//! **Remediation**: `--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key` in the kube-apiserver static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.4.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverKubeletClientCert;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-104",
    slug: "apiserver_kubelet_client_cert",
    title: "API server talks to kubelets without a client certificate",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.4",
    level: 1,
    rationale: "Without a client certificate the kubelets cannot authenticate the API server's requests (exec, logs, port-forward).",
    remediation: "Set `--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key` in the kube-apiserver manifest.",
    fix: "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverKubeletClientCert {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(
            facts,
            "kube-apiserver",
            "kubelet-client-certificate",
            out,
            |pod| {
                (flag(pod, "kubelet-client-certificate").is_none()
                    || flag(pod, "kubelet-client-key").is_none())
                .then(|| {
                    "--kubelet-client-certificate and --kubelet-client-key not both set".to_owned()
                })
            },
        );
    }
}
