//! PAL-KNODE-101 — API server accepts anonymous requests (CIS Kubernetes 1.2.1, level 1).
//!
//! **What**: the API server runs with `--anonymous-auth=false`.
//! **Why**: Anonymous requests reach the API server's authorizer; one permissive binding exposes the cluster.
//! **Remediation**: Add `--anonymous-auth=false` to the kube-apiserver manifest.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.1.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverAnonymousAuth;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-101",
    slug: "apiserver_anonymous_auth",
    title: "API server accepts anonymous requests",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.1",
    level: 1,
    rationale: "Anonymous requests reach the API server's authorizer; one permissive binding exposes the cluster.",
    remediation: "Add `--anonymous-auth=false` to the kube-apiserver manifest.",
    fix: "--anonymous-auth=false",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverAnonymousAuth {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "anonymous-auth", out, |pod| {
            (flag(pod, "anonymous-auth").as_deref() != Some("false"))
                .then(|| "anonymous authentication is on".to_owned())
        });
    }
}
