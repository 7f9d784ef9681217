//! PAL-KNODE-126 — API server does not verify etcd's certificate (CIS Kubernetes 1.2.26, level 1).
//!
//! **What**: kube-apiserver runs with `--etcd-cafile` set.
//! **Why**: Without it the API server cannot tell the real etcd from an impostor.
//! **Remediation**: `--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt` in the kube-apiserver static pod manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.26.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverEtcdCa;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-126",
    slug: "apiserver_etcd_ca",
    title: "API server does not verify etcd's certificate",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.26",
    level: 1,
    rationale: "Without it the API server cannot tell the real etcd from an impostor.",
    remediation:
        "Set `--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt` in the kube-apiserver manifest.",
    fix: "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverEtcdCa {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "etcd-cafile", out, |pod| {
            (flag(pod, "etcd-cafile").is_none()).then(|| "--etcd-cafile not set".to_owned())
        });
    }
}
