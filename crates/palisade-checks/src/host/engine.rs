//! Runs host checks over collected facts and reports them as the posture engine does
//! ([`PostureFinding`]), so exceptions, frameworks, `--fail-on`, JSON and SARIF are shared.

use std::sync::Arc;

use palisade_k8s::SourceLocation;
use serde::Serialize;

use super::check::{Benchmark, HostCheck, HostViolation, ManualRecommendation};
use super::facts::HostFacts;
use crate::check::Category;
use crate::engine::{ObjectRef, PostureFinding};

/// The `api_version` host findings carry (the object is not a Kubernetes one).
pub const HOST_API: &str = "host.palisade.dev/v1";

#[derive(Debug, Default, Serialize)]
pub struct HostEvaluation {
    pub findings: Vec<PostureFinding>,
    /// Host checks run.
    pub checks: usize,
    pub containers: usize,
    pub images: usize,
}

/// Runs `checks` over `facts`.
pub fn evaluate(facts: &HostFacts, checks: &[&dyn HostCheck]) -> HostEvaluation {
    let mut findings = Vec::new();
    let mut violations = Vec::new();
    for check in checks {
        check.check(facts, &mut violations);
        let meta = check.meta();
        for v in violations.drain(..) {
            findings.push(finding(meta, v));
        }
    }
    findings.sort_by(|a, b| {
        (&a.object.kind, &a.object.name, a.check_id).cmp(&(
            &b.object.kind,
            &b.object.name,
            b.check_id,
        ))
    });
    HostEvaluation {
        findings,
        checks: checks.len(),
        containers: facts.containers.len(),
        images: facts.images.len(),
    }
}

fn finding(meta: &'static super::check::HostCheckMeta, v: HostViolation) -> PostureFinding {
    PostureFinding {
        check_id: meta.id,
        title: meta.title,
        severity: meta.severity,
        category: Category::Host,
        object: ObjectRef {
            api_version: HOST_API.to_owned(),
            kind: v.kind.as_str().to_owned(),
            namespace: None,
            name: v.name,
        },
        message: v.message,
        location: SourceLocation {
            file: Arc::from(v.file.as_str()),
            line: v.line,
        },
        pointer: v.pointer,
        remediation: meta.remediation,
        patch_at: String::new(),
        patch: meta.fix,
        details: None,
    }
}

/// The manual recommendations of the benchmarks these checks belong to, for what the host
/// has (a Docker daemon; a kubelet or control-plane static pods).
pub fn manual_for(checks: &[&dyn HostCheck], facts: &HostFacts) -> Vec<ManualRecommendation> {
    let present = |b: Benchmark| match b {
        Benchmark::CisDocker => facts.has_docker(),
        Benchmark::CisKubernetes => facts.kubelet.is_some() || !facts.static_pods.is_empty(),
    };
    super::manual::MANUAL
        .iter()
        .filter(|m| {
            present(m.benchmark) && checks.iter().any(|c| c.meta().benchmark == m.benchmark)
        })
        .copied()
        .collect()
}
