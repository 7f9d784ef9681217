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
