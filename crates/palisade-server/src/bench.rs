//! `palisade bench server`: alert ingest rate through the whole request path (router, token
//! check, decoder, transaction) on a store, with generated alerts in the audit analyzer's shape.

use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use serde::Serialize;
use tower::ServiceExt;

use crate::{auth, router, AppState, Db, Limits, Role, ServerError};

#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub db_url: String,
    pub alerts: usize,
    pub batch: usize,
    pub concurrency: usize,
    /// Alerts per group (repeats of the same rule on the same resource).
    pub repeats: usize,
}

#[derive(Debug, Serialize)]
pub struct BenchResult {
    pub backend: String,
    pub alerts: usize,
    pub batch: usize,
    pub concurrency: usize,
    pub seconds: f64,
    pub alerts_per_second: f64,
    pub groups: i64,
    /// Resending the first batch: answered as duplicates, seconds.
    pub duplicate_batch_seconds: f64,
}

/// The `i`-th generated alert line (about 1 KiB, like a real exec alert).
pub fn alert_line(i: usize, repeats: usize) -> String {
    let pod = i / repeats.max(1);
    let ns = ["shop", "payments", "search", "ops"][pod % 4];
    let sec = i % 60;
    format!(
        r#"{{"id":"PAL-K8SAUDIT-022/bench-{i}","rule_id":"PAL-K8SAUDIT-022","rule":"Exec into a pod","severity":"LOW","priority":"NOTICE","time":"2026-03-02T10:{m:02}:{sec:02}.000000Z","cluster":"bench","resource":{{"resource":"pods","subresource":"exec","namespace":"{ns}","name":"web-{pod}"}},"user":{{"name":"alice@example.com","groups":["developers","system:authenticated"]}},"source_ips":["203.0.113.7"],"user_agent":"kubectl/v1.30.2","mitre":{{"tactics":["Execution"],"techniques":["T1609"],"technique_names":["Container Administration Command"]}},"message":"alice@example.com opened a shell in pod {ns}/web-{pod} (command=sh)","remediation":"Check why a shell was needed.","count":1,"last_seen":"2026-03-02T10:{m:02}:{sec:02}.000000Z","evidence":{{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"bench-{i}","verb":"create","requestURI":"/api/v1/namespaces/{ns}/pods/web-{pod}/exec?command=sh","objectRef":{{"resource":"pods","namespace":"{ns}","name":"web-{pod}","subresource":"exec"}}}}}}"#,
        m = (i / 60) % 60
    )
}

pub async fn bench_ingest(o: &BenchOptions) -> Result<BenchResult, ServerError> {
    let db = Db::connect(&o.db_url).await?;
    let token = auth::create_token(&db, Role::Ingest, "bench", "bench").await?;
    let app = router(AppState {
        secure_cookies: false,
        db: db.clone(),
        limits: Limits {
            max_body: 256 << 20,
            max_lines: o.batch.max(1),
        },
    });
    let batches: Vec<String> = (0..o.alerts)
        .collect::<Vec<_>>()
        .chunks(o.batch.max(1))
        .map(|c| {
            c.iter()
                .map(|&i| alert_line(i, o.repeats))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let send = move |body: String| {
        let app = app.clone();
        let token = token.clone();
        async move {
            let req = Request::post("/api/v1/ingest/alerts")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::from(body))
                .map_err(|e| ServerError::Invalid(e.to_string()))?;
            let resp = app
                .oneshot(req)
                .await
                .map_err(|e| ServerError::Invalid(e.to_string()))?;
            if !resp.status().is_success() {
                return Err(ServerError::Invalid(format!(
                    "ingest answered {}",
                    resp.status()
                )));
            }
            Ok::<(), ServerError>(())
        }
    };
    let start = Instant::now();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(batches.clone().into_iter()));
    let mut workers = Vec::new();
    for _ in 0..o.concurrency.max(1) {
        let queue = queue.clone();
        let send = send.clone();
        workers.push(tokio::spawn(async move {
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.next());
                match next {
                    Some(b) => send(b).await?,
                    None => return Ok::<(), ServerError>(()),
                }
            }
        }));
    }
    for w in workers {
        w.await.map_err(|e| ServerError::Invalid(e.to_string()))??;
    }
    let seconds = start.elapsed().as_secs_f64();
    let again = Instant::now();
    if let Some(first) = batches.first() {
        send(first.clone()).await?;
    }
    let duplicate_batch_seconds = again.elapsed().as_secs_f64();
    let groups: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM alerts")
        .fetch_one(&db.pool)
        .await?;
    db.pool.close().await;
    Ok(BenchResult {
        backend: format!("{:?}", db.backend).to_lowercase(),
        alerts: o.alerts,
        batch: o.batch,
        concurrency: o.concurrency,
        seconds,
        alerts_per_second: o.alerts as f64 / seconds,
        groups: groups.0,
        duplicate_batch_seconds,
    })
}
