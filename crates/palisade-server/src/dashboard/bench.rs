//! `palisade bench dashboard`: each page's server time (router, session lookup, queries,
//! rendering) on a store seeded with generated alerts (spread over the last 30 days), images
//! with findings and posture findings, through the real store functions.

use std::time::{Duration, Instant, SystemTime};

use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use serde::Serialize;
use tower::ServiceExt;

use crate::{auth, decode, router, store, AppState, Db, Limits, Role, ServerError};

#[derive(Debug, Clone)]
pub struct DashboardBenchOptions {
    pub db_url: String,
    pub alerts: usize,
    pub images: usize,
    pub findings_per_image: usize,
    pub posture_findings: usize,
    /// Requests per page measured (after 3 warm-up requests).
    pub requests: usize,
}

#[derive(Debug, Serialize)]
pub struct PageTiming {
    pub page: String,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    pub bytes: usize,
}

#[derive(Debug, Serialize)]
pub struct DashboardBenchResult {
    pub backend: String,
    pub alerts: usize,
    pub images: usize,
    pub findings: usize,
    pub posture_findings: usize,
    pub seed_seconds: f64,
    pub pages: Vec<PageTiming>,
}

const SEVERITIES: &[&str] = &["LOW", "MEDIUM", "HIGH", "CRITICAL"];
const TACTICS: &[&str] = &[
    "Execution",
    "Persistence",
    "Privilege Escalation",
    "Discovery",
];

fn time_ago(secs: u64) -> String {
    humantime::format_rfc3339_micros(SystemTime::now() - Duration::from_secs(secs)).to_string()
}

/// The `i`-th generated audit alert: 40 rules, 20 namespaces, each its own group, times spread
/// over the last 30 days.
pub fn alert_line(i: usize) -> String {
    let rule = i % 40;
    let ns = format!("ns-{}", i % 20);
    let t = time_ago((i as u64 * 7919) % (30 * 86_400));
    serde_json::json!({
        "id": format!("PAL-K8SAUDIT-{rule:03}/bench-{i}"),
        "rule_id": format!("PAL-K8SAUDIT-{rule:03}"),
        "rule": format!("Generated rule {rule}"),
        "severity": SEVERITIES[(i / 3) % 4],
        "time": t, "last_seen": t,
        "cluster": format!("cluster-{}", i % 3),
        "resource": {"resource": "pods", "subresource": "exec", "namespace": ns, "name": format!("web-{i}")},
        "user": {"name": "alice@example.com", "groups": ["developers"]},
        "mitre": {"tactics": [TACTICS[rule % 4]], "techniques": ["T1609"], "technique_names": ["Container Administration Command"]},
        "message": format!("alice@example.com opened a shell in pod {ns}/web-{i}"),
        "count": 1,
        "evidence": {"kind": "Event", "verb": "create", "requestURI": format!("/api/v1/namespaces/{ns}/pods/web-{i}/exec?command=sh")}
    })
    .to_string()
}

/// The `n`-th generated image's scan report: `findings` findings from a pool of 2,000 CVEs.
pub fn scan_report(n: usize, findings: usize) -> String {
    let digest = format!("sha256:{:064x}", n + 1);
    let fs: Vec<serde_json::Value> = (0..findings)
        .map(|k| {
            let cve = (n * 31 + k * 17) % 2000;
            serde_json::json!({
                "id": format!("CVE-2024-{:05}", cve),
                "aliases": [],
                "summary": "generated finding",
                "severity": SEVERITIES[cve % 4],
                "package": format!("pkg-{}", cve % 300),
                "version": "1.0.0",
                "ecosystem": "PyPI",
                "purl": format!("pkg:pypi/pkg-{}@1.0.0", cve % 300),
                "fixed_version": if cve.is_multiple_of(3) { serde_json::Value::Null } else { "1.0.1".into() },
                "locations": [],
                "status": if cve.is_multiple_of(3) { "affected" } else { "fixed" },
                "severity_source": "advisory",
                "kev": if cve.is_multiple_of(97) { serde_json::json!({"date_added": "2024-01-01", "known_ransomware_campaign_use": false}) } else { serde_json::Value::Null },
                "epss": {"score": (cve % 100) as f64 / 100.0, "percentile": 0.5, "date": "2026-01-01"},
            })
        })
        .collect();
    serde_json::json!({
        "source": format!("bench-{n}"),
        "artifact": {"name": format!("registry.example/bench/app-{n}:1"), "kind": "image",
                     "config_digest": digest, "repo_tags": [format!("registry.example/bench/app-{n}:1")]},
        "os": {"family": "debian", "id": "debian", "version_id": "12", "codename": "bookworm",
               "pretty_name": "Debian GNU/Linux 12 (bookworm)", "source_path": "usr/lib/os-release"},
        "databases": [],
        "packages_scanned": 100,
        "findings": fs,
        "remediations": []
    })
    .to_string()
}

/// A posture result of `n` findings over 60 checks.
pub fn posture(n: usize) -> String {
    let fs: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let check = i % 60;
            serde_json::json!({
                "check_id": format!("PAL-K8S-{check:03}"),
                "title": format!("Generated check {check}"),
                "severity": SEVERITIES[check % 4],
                "category": "pod-security",
                "object": {"api_version": "apps/v1", "kind": "Deployment", "namespace": format!("ns-{}", i % 20), "name": format!("app-{i}")},
                "message": "generated",
                "location": {"file": format!("manifests/app-{i}.yaml"), "line": 10},
                "pointer": "/spec/template/spec/containers/0/securityContext",
                "remediation": "Set it.",
                "patch_at": "/spec/template/spec/containers/0/securityContext",
                "patch": "runAsNonRoot: true\n"
            })
        })
        .collect();
    serde_json::json!({"schema_version": 1, "summary": {}, "findings": fs, "suppressed": [], "errors": []})
        .to_string()
}

fn invalid(e: impl std::fmt::Display) -> ServerError {
    ServerError::Invalid(e.to_string())
}

pub async fn bench_dashboard(
    o: &DashboardBenchOptions,
) -> Result<DashboardBenchResult, ServerError> {
    let db = Db::connect(&o.db_url).await?;
    let seed = Instant::now();
    let lines: Vec<String> = (0..o.alerts).map(alert_line).collect();
    for chunk in lines.chunks(2000) {
        let alerts = decode::decode_alerts(chunk.join("\n").as_bytes(), 2000, &crate::db::now())
            .map_err(invalid)?;
        store::ingest_alerts(&db, &alerts).await?;
    }
    for n in 0..o.images {
        let scan = decode::decode_scan_report(scan_report(n, o.findings_per_image).as_bytes())
            .map_err(invalid)?;
        store::ingest_scan(&db, &scan).await?;
    }
    let p = decode::decode_posture(posture(o.posture_findings).as_bytes()).map_err(invalid)?;
    store::ingest_posture(&db, "bench", &p, "bench").await?;
    let seed_seconds = seed.elapsed().as_secs_f64();

    let app = router(AppState {
        db: db.clone(),
        limits: Limits::default(),
        secure_cookies: false,
    });
    let token = auth::create_token(&db, Role::Admin, "bench", "bench").await?;
    let login = app
        .clone()
        .oneshot(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("token={token}")))
                .map_err(invalid)?,
        )
        .await
        .map_err(invalid)?;
    let cookie = login
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| invalid("login set no cookie"))?
        .to_string();
    let (alert,): (String,) =
        sqlx::query_as("SELECT id FROM alerts ORDER BY last_seen DESC LIMIT 1")
            .fetch_one(&db.pool)
            .await?;
    let pages = vec![
        "/".to_string(),
        "/alerts".into(),
        "/alerts?severity=CRITICAL&status=Active&namespace=ns-3&window=7d".into(),
        "/alerts?tactic=Discovery&text=web-1".into(),
        format!("/alerts/{alert}"),
        "/recommendations".into(),
        "/vulnerabilities".into(),
        format!("/images/sha256:{:064x}", 1),
        "/cves/CVE-2024-00017".into(),
        "/settings".into(),
    ];
    let mut out = Vec::new();
    for page in pages {
        let mut times = Vec::with_capacity(o.requests);
        let mut bytes = 0;
        for i in 0..o.requests + 3 {
            let req = Request::get(&page)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .map_err(invalid)?;
            let start = Instant::now();
            let resp = app.clone().oneshot(req).await.map_err(invalid)?;
            let status = resp.status();
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(invalid)?
                .to_bytes();
            let t = start.elapsed().as_secs_f64() * 1000.0;
            if !status.is_success() {
                return Err(invalid(format!("{page} answered {status}")));
            }
            bytes = body.len();
            if i >= 3 {
                times.push(t);
            }
        }
        times.sort_by(f64::total_cmp);
        let pct =
            |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
        out.push(PageTiming {
            page,
            p50_ms: pct(0.50),
            p95_ms: pct(0.95),
            max_ms: times.last().copied().unwrap_or_default(),
            bytes,
        });
    }
    db.pool.close().await;
    Ok(DashboardBenchResult {
        backend: format!("{:?}", db.backend).to_lowercase(),
        alerts: o.alerts,
        images: o.images,
        findings: o.images * o.findings_per_image,
        posture_findings: o.posture_findings,
        seed_seconds,
        pages: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_documents_decode() {
        let a = decode::decode_alerts(alert_line(7).as_bytes(), 1, "x").unwrap();
        assert_eq!(a[0].rule_id.as_deref(), Some("PAL-K8SAUDIT-007"));
        // Enough findings to include known-exploited and unfixed ones.
        let s = decode::decode_scan_report(scan_report(3, 200).as_bytes()).unwrap();
        assert_eq!(s.report.findings.len(), 200);
        assert!(s.report.findings.iter().any(|f| f.kev.is_some()));
        assert!(s.report.findings.iter().any(|f| f.fixed_version.is_none()));
        let p = decode::decode_posture(posture(10).as_bytes()).unwrap();
        assert_eq!(p.findings.len(), 10);
    }
}
