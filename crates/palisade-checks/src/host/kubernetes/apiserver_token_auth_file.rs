//! PAL-KNODE-102 — API server reads static tokens (CIS Kubernetes 1.2.2, level 1).
//!
//! **What**: the API server does not set `--token-auth-file`.
//! **Why**: Static tokens live in clear text on disk and cannot be rotated without a restart.
//! **Remediation**: Remove `--token-auth-file`; use certificates, OIDC or service account tokens.
//! **References**: CIS Kubernetes Benchmark v1.10 1.2.2.

use super::{flag, per_component};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct ApiserverTokenAuthFile;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-KNODE-102",
    slug: "apiserver_token_auth_file",
    title: "API server reads static tokens",
    severity: Severity::High,
    benchmark: Benchmark::CisKubernetes,
    cis: "1.2.2",
    level: 1,
    rationale: "Static tokens live in clear text on disk and cannot be rotated without a restart.",
    remediation: "Remove `--token-auth-file`; use certificates, OIDC or service account tokens.",
    fix: "(no --token-auth-file)",
    references: &[super::CIS_KUBERNETES, super::APISERVER_DOC],
};

impl HostCheck for ApiserverTokenAuthFile {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_component(facts, "kube-apiserver", "token-auth-file", out, |pod| {
            flag(pod, "token-auth-file").map(|f| format!("static token file {f}"))
        });
    }
}
