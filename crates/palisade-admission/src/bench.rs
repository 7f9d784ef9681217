//! `palisade bench admission`: decisions per second and latency of the core on one thread, and
//! of the whole webhook over loopback TLS with concurrent HTTPS clients.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};

use crate::certs::{certified_key, self_signed, CertStore};
use crate::decide::{Admission, Options};
use crate::policy::{compile, Policy};
use crate::review::decode;
use crate::server::Server;

/// `policies` policies: one with every posture check, then alternating PSS restricted, PSS
/// baseline, registry rules (allow-list, digest, latest) and CIS, all in scope.
pub fn policies(policies: usize) -> Vec<Policy> {
    let all: Vec<&str> = palisade_checks::CHECKS
        .iter()
        .map(|c| c.meta().id)
        .collect();
    let mut text =
        String::from("apiVersion: palisade.dev/v1alpha1\nkind: AdmissionPolicy\npolicies:\n");
    for i in 0..policies {
        let mode = ["enforce", "warn", "audit"][i % 3];
        let body = if i == 0 {
            format!("posture: {{checks: [{}]}}", all.join(", "))
        } else {
            match i % 4 {
                0 => "posture: {framework: pss-restricted}".to_owned(),
                1 => "posture: {framework: pss-baseline}".to_owned(),
                2 => "registry: {allowed: [ghcr.io/acme, registry.example.com], requireDigest: true, forbidLatest: true}".to_owned(),
                _ => "posture: {framework: cis}".to_owned(),
            }
        };
        text.push_str(&format!(
            "  - {{name: p{i}, mode: {mode}, scope: {{namespaces: [\"shop*\"]}}, {body}}}\n"
        ));
    }
    match compile(&text, "bench") {
        Ok(p) => p,
        Err(e) => unreachable!("the bench policy compiles: {e}"),
    }
}

/// A Deployment with 3 containers (one with findings), as the API server sends it.
pub fn sample_review() -> Value {
    let container = |name: &str, image: &str, hardened: bool| {
        let mut c = json!({"name": name, "image": image,
            "resources": {"limits": {"memory": "256Mi", "cpu": "500m"}, "requests": {"memory": "128Mi", "cpu": "100m"}},
            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
            "env": [{"name": "MODE", "value": "prod"}]});
        if hardened {
            c["securityContext"] = json!({"allowPrivilegeEscalation": false, "runAsNonRoot": true,
                "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]},
                "seccompProfile": {"type": "RuntimeDefault"}});
        }
        c
    };
    let digest = "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let object = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "checkout", "namespace": "shop", "labels": {"app": "checkout"}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "checkout"}},
            "template": {"metadata": {"labels": {"app": "checkout"}},
                "spec": {"serviceAccountName": "checkout", "automountServiceAccountToken": false,
                    "containers": [
                        container("api", &format!("ghcr.io/acme/api:2.4.1{digest}"), true),
                        container("sidecar", &format!("registry.example.com/proxy:1.9{digest}"), true),
                        container("debug", "busybox:latest", false)]}}}});
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": "7f4a7a8e-0c1d-4a5b-9e3f-000000000001",
            "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "requestKind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "requestResource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "name": "checkout", "namespace": "shop", "operation": "CREATE",
            "userInfo": {"username": "system:serviceaccount:ci:deployer", "groups": ["system:serviceaccounts", "system:authenticated"]},
            "object": object, "oldObject": null, "dryRun": false,
            "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}}})
}

#[derive(Debug, Serialize)]
pub struct CoreReport {
    pub policies: usize,
    pub checks_evaluated_per_review: usize,
    pub findings_per_review: usize,
    pub reviews: usize,
    pub reviews_per_second: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e6
}

/// Decode + decide + encode, `reviews` times on this thread.
pub fn core(policies_n: usize, reviews: usize) -> CoreReport {
    let policies = policies(policies_n);
    let checks = policies.iter().map(|p| p.checks.len()).sum();
    let admission = Admission::new(policies, Options::default());
    let body = serde_json::to_vec(&sample_review()).unwrap_or_default();
    let mut times = Vec::with_capacity(reviews);
    let mut findings = 0;
    let started = Instant::now();
    for _ in 0..reviews.max(1) {
        let t = Instant::now();
        if let Ok(req) = decode(&body) {
            let d = admission.review(&req);
            findings = d.results.len();
            let _ = serde_json::to_vec(&d.response.into_review());
        }
        times.push(t.elapsed());
    }
    let total = started.elapsed();
    times.sort();
    CoreReport {
        policies: policies_n,
        checks_evaluated_per_review: checks,
        findings_per_review: findings,
        reviews: times.len(),
        reviews_per_second: times.len() as f64 / total.as_secs_f64(),
        p50_us: percentile(&times, 0.50),
        p99_us: percentile(&times, 0.99),
        max_us: percentile(&times, 1.0),
    }
}

/// A webhook on loopback TLS (self-signed) for a load generator: its address and the PEM
/// certificate to trust. Serves until the runtime stops.
pub async fn start_loopback(
    policies_n: usize,
) -> Result<(std::net::SocketAddr, String), crate::server::ServeError> {
    let (cert, key) = self_signed(&["localhost".into(), "127.0.0.1".into()])?;
    let store = CertStore::new(certified_key(cert.as_bytes(), key.as_bytes())?);
    let admission = Arc::new(Admission::new(policies(policies_n), Options::default()));
    let server = Server::bind(
        "127.0.0.1:0",
        admission,
        store,
        crate::server::DEFAULT_MAX_BODY,
    )
    .await?;
    let addr = server.local_addr()?;
    tokio::spawn(server.run());
    Ok((addr, cert))
}
