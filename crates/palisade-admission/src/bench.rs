//! `palisade bench admission`: decisions per second and latency of the core on one thread, and
//! of the whole webhook over loopback TLS with concurrent HTTPS clients.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};

use crate::certs::{certified_key, self_signed, CertStore};
use crate::decide::{Admission, Options};
use crate::policy::Policy;
use crate::review::decode;
use crate::server::Server;

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A Gatekeeper template (required labels) and 10 constraints of it.
const GATEKEEPER: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: benchrequiredlabels}
spec:
  crd:
    spec:
      names: {kind: BenchRequiredLabels}
      validation:
        openAPIV3Schema:
          type: object
          properties:
            label: {type: string}
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package benchrequiredlabels

        violation[{"msg": msg}] {
          not input.review.object.metadata.labels[input.parameters.label]
          msg := sprintf("missing label %v", [input.parameters.label])
        }
"#;

/// Writes the scan report and Gatekeeper policies the bench policies refer to into `dir`.
pub fn write_fixtures(dir: &std::path::Path) -> std::io::Result<()> {
    let reports = dir.join("reports");
    let gk = dir.join("gatekeeper");
    std::fs::create_dir_all(&reports)?;
    std::fs::create_dir_all(&gk)?;
    let findings: Vec<Value> = (0..20)
        .map(|i| {
            let sev = ["CRITICAL", "HIGH", "MEDIUM", "LOW"][i % 4];
            json!({"id": format!("CVE-2024-{:04}", 1000 + i), "severity": sev,
                "package": format!("lib{i}"), "version": "1.0", "ecosystem": "deb",
                "purl": format!("pkg:deb/debian/lib{i}@1.0"), "locations": [], "status": "fixed",
                "fixed_version": "1.1"})
        })
        .collect();
    let report = json!({"source": "registry:ghcr.io/acme/api:2.4.1",
        "artifact": {"name": "ghcr.io/acme/api:2.4.1", "kind": "image", "manifest_digest": DIGEST},
        "databases": [], "packages_scanned": 300, "findings": findings});
    std::fs::write(reports.join("api.json"), report.to_string())?;
    let mut text = GATEKEEPER.to_owned();
    for i in 0..10 {
        text.push_str(&format!(
            "---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: BenchRequiredLabels\nmetadata: {{name: label-{i}}}\nspec:\n  enforcementAction: {}\n  match: {{kinds: [{{apiGroups: [apps], kinds: [Deployment]}}]}}\n  parameters: {{label: {}}}\n",
            if i % 2 == 0 { "deny" } else { "warn" },
            if i < 5 { "app".to_owned() } else { format!("team-{i}") }
        ));
    }
    std::fs::write(gk.join("policies.yaml"), text)
}

/// `policies` policies over the fixtures in `dir` ([`write_fixtures`]): one with every
/// posture check, one vulnerability gate, one with 10 Gatekeeper constraints, then
/// alternating PSS restricted, PSS baseline, registry rules (allow-list, digest, latest) and
/// CIS, all in scope.
pub fn policies(policies: usize, dir: &std::path::Path) -> Vec<Policy> {
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
        } else if i == 1 {
            "vulnerabilities: {reports: reports, minSeverity: high, unscanned: warn}".to_owned()
        } else if i == 2 {
            "gatekeeper: {paths: [gatekeeper]}".to_owned()
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
    match crate::policy::compile_in(&text, "bench", dir) {
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
    let digest = format!("@{DIGEST}");
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
pub fn core(policies_n: usize, reviews: usize, dir: &std::path::Path) -> CoreReport {
    let policies = policies(policies_n, dir);
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
    dir: &std::path::Path,
) -> Result<(std::net::SocketAddr, String), crate::server::ServeError> {
    let (cert, key) = self_signed(&["localhost".into(), "127.0.0.1".into()])?;
    let store = CertStore::new(certified_key(cert.as_bytes(), key.as_bytes())?);
    let admission = Arc::new(Admission::new(
        policies(policies_n, dir),
        Options::default(),
    ));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;

    #[test]
    fn the_bench_policies_exercise_every_policy_kind() {
        let dir = tempfile::tempdir().unwrap();
        write_fixtures(dir.path()).unwrap();
        let policies = policies(100, dir.path());
        assert_eq!(policies.len(), 100);
        let admission = Admission::new(policies, Options::default());
        let body = serde_json::to_vec(&sample_review()).unwrap();
        let d = admission.review(&decode(&body).unwrap());
        assert!(!d.allowed());
        for kind in [
            PolicyKind::Posture,
            PolicyKind::Registry,
            PolicyKind::Vulnerabilities,
            PolicyKind::Gatekeeper,
        ] {
            assert!(d.results.iter().any(|r| r.kind == kind), "{kind:?}");
        }
        // 10 HIGH+ findings in each of the two pinned images, 5 Gatekeeper label violations.
        let vulns = d
            .results
            .iter()
            .filter(|r| r.finding.check_id == "image-vulnerability")
            .count();
        assert_eq!(vulns, 20);
        let gk = d
            .results
            .iter()
            .filter(|r| r.kind == PolicyKind::Gatekeeper)
            .count();
        assert_eq!(gk, 5);
        let report = core(100, 3, dir.path());
        assert_eq!(report.reviews, 3);
        assert_eq!(report.findings_per_review, d.results.len());
    }
}
