//! PAL-KNODE-123 — API server talks to etcd without a client certificate (CIS Kubernetes 1.2.23, level 1).
//!
//! **What**: kube-apiserver runs with `--etcd-certfile` and `--etcd-keyfile` set.
//! **Why**: Etcd should only accept the API server, authenticated by certificate.
//! **Remediation**: `--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key` in the kube-apiserver static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.23.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverEtcdClientCert;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-123",
    slug: "apiserver_etcd_client_cert",
    title: "API server talks to etcd without a client certificate",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.23",
    level: 1,
    rationale: "Etcd should only accept the API server, authenticated by certificate.",
    remediation: "Set `--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key` in the kube-apiserver manifest.",
    fix: "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverEtcdClientCert {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "etcd-certfile", out, |pod| {
            (flag(pod, "etcd-certfile").is_none() || flag(pod, "etcd-keyfile").is_none())
                .then(|| "--etcd-certfile and --etcd-keyfile not both set".to_owned())
        });
    }
}
