//! Shared by the server tests: the two stores every test runs against (a fresh SQLite file and
//! a fresh database on the PostgreSQL named by `PALISADE_TEST_POSTGRES`), and a client for the
//! router that needs no network.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use palisade_server::{router, AppState, Db, Limits, Role};
use serde_json::Value;
use tower::ServiceExt;

pub struct Backend {
    pub name: &'static str,
    pub url: String,
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
}

/// The PostgreSQL server the tests use. Absent → the tests fail: `.ci/run` starts one.
pub fn postgres_url() -> String {
    std::env::var("PALISADE_TEST_POSTGRES").expect(
        "PALISADE_TEST_POSTGRES must name a PostgreSQL database whose role may CREATE DATABASE \
         (e.g. postgres://palisade:palisade@127.0.0.1/palisade; .ci/run sets it up)",
    )
}

/// A fresh, empty PostgreSQL database (on the server of `PALISADE_TEST_POSTGRES`): its URL.
pub async fn fresh_postgres() -> String {
    let base = postgres_url();
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {base}: {e}"));
    let name = format!("palisade_t_{}", palisade_server::db::random_id());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    format!("{prefix}/{name}")
}

/// Both stores, fresh and migrated.
pub async fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite:{}", dir.path().join("palisade.db").display());
    let pg = fresh_postgres().await;
    vec![
        Backend {
            name: "sqlite",
            db: Db::connect(&sqlite).await.unwrap(),
            url: sqlite,
            _dir: Some(dir),
        },
        Backend {
            name: "postgres",
            db: Db::connect(&pg).await.unwrap(),
            url: pg,
            _dir: None,
        },
    ]
}

/// A router over `db` with a token of every role.
pub struct Client {
    pub app: axum::Router,
    pub db: Db,
    pub admin: String,
    pub operator: String,
    pub reader: String,
    pub ingest: String,
}

impl Client {
    pub async fn new(db: &Db, limits: Limits) -> Client {
        let token = |role: Role| {
            let db = db.clone();
            async move {
                palisade_server::auth::create_token(&db, role, &format!("test-{role}"), "test")
                    .await
                    .unwrap()
            }
        };
        Client {
            app: router(AppState {
                db: db.clone(),
                limits,
                secure_cookies: false,
            }),
            db: db.clone(),
            admin: token(Role::Admin).await,
            operator: token(Role::Operator).await,
            reader: token(Role::Reader).await,
            ingest: token(Role::Ingest).await,
        }
    }

    pub fn token(&self, role: Role) -> &str {
        match role {
            Role::Admin => &self.admin,
            Role::Operator => &self.operator,
            Role::Reader => &self.reader,
            Role::Ingest => &self.ingest,
        }
    }

    /// One request; the status and the body (JSON, or a string when it is not JSON).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: impl Into<Body>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let resp = self
            .app
            .clone()
            .oneshot(req.body(body.into()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, v) = self
            .call("GET", path, Some(&self.reader), Body::empty())
            .await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {v}");
        v
    }

    pub async fn ingest(&self, path: &str, body: impl Into<Body>) -> Value {
        let (status, v) = self.call("POST", path, Some(&self.ingest), body).await;
        assert_eq!(status, StatusCode::OK, "POST {path}: {v}");
        v
    }
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

/// The image of `scan-report.json`.
pub const APP_DIGEST: &str =
    "sha256:6bd23755bd6c5ccb535f3290e6da36d389bbbae41e2c12390ae33ccc93802f80";
/// The image of `hostile_scan_report()`.
pub const HOSTILE_DIGEST: &str =
    "sha256:abababababababababababababababababababababababababababababababab";
/// Markup and quotes, as an attacker would put them in names, arguments and outputs.
pub const HOSTILE: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";

pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string()
}

/// The real node alert of `node-alert.jsonl`, made another document (`id`) of another
/// container (`container_id`) at `time`, with `edit` applied.
pub fn node_alert(
    id: &str,
    container_id: &str,
    time: &str,
    edit: impl FnOnce(&mut Value),
) -> String {
    let text = String::from_utf8(fixture("node-alert.jsonl")).unwrap();
    let mut v: Value = serde_json::from_str(text.trim()).unwrap();
    v["id"] = Value::String(id.into());
    v["time"] = Value::String(time.into());
    v["last_seen"] = Value::String(time.into());
    v["container"]["id"] = Value::String(container_id.into());
    edit(&mut v);
    v.to_string()
}

/// A node alert with hostile strings in the pod name, image tag, command line and rule output.
pub fn hostile_node_alert() -> String {
    node_alert("PAL-NODE-004/666/1", &"e".repeat(64), &now_rfc3339(), |v| {
        v["container"]["pod_name"] = Value::String(format!("web-{HOSTILE}"));
        v["container"]["image"] = Value::String(format!("registry.example/shop/web:{HOSTILE}"));
        v["process"]["args"] = serde_json::json!(["sh", "-c", format!("echo {HOSTILE}")]);
        v["message"] = Value::String(format!("shell started by {HOSTILE}"));
    })
}

/// The real scan report of another image whose tag is hostile.
pub fn hostile_scan_report() -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(&fixture("scan-report.json")).unwrap();
    v["artifact"]["config_digest"] = Value::String(HOSTILE_DIGEST.into());
    v["artifact"]["name"] = Value::String(format!("palisade-test/app:{HOSTILE}"));
    v["artifact"]["repo_tags"] = serde_json::json!([format!("palisade-test/app:{HOSTILE}")]);
    // Fewer findings, so the two images rank differently.
    v["findings"].as_array_mut().unwrap().truncate(2);
    serde_json::to_vec(&v).unwrap()
}

/// Everything the dashboard shows, through the real ingest API: the CLI's audit alerts, node
/// alert, scan report and posture result, plus the hostile alert and image.
pub async fn seed(c: &Client) {
    c.ingest("/api/v1/ingest/alerts", fixture("audit-alerts.jsonl"))
        .await;
    c.ingest("/api/v1/ingest/alerts", fixture("node-alert.jsonl"))
        .await;
    c.ingest("/api/v1/ingest/alerts", hostile_node_alert())
        .await;
    c.ingest("/api/v1/ingest/scan-reports", fixture("scan-report.json"))
        .await;
    c.ingest("/api/v1/ingest/scan-reports", hostile_scan_report())
        .await;
    c.ingest(
        "/api/v1/ingest/posture?scope=prod-eu",
        fixture("posture.json"),
    )
    .await;
}
