//! The HTTP API: routes, the role each one needs, and thin handlers (decode, call, encode).

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::auth::{Caller, ADMIN, INGEST, OPERATE, READ};
use crate::db::{now, Db};
use crate::decode;
use crate::query::{self, decode_cursor};
use crate::store;

/// Bounds on what one request may carry.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body (bytes).
    pub max_body: usize,
    /// Most alerts (lines) in one ingest batch.
    pub max_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 16 << 20,
            max_lines: 10_000,
        }
    }
}

/// Largest page a list returns.
pub const MAX_PAGE: usize = 500;
const DEFAULT_PAGE: usize = 50;

#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    pub limits: Limits,
    /// The server is reached over HTTPS (a TLS proxy in front): dashboard cookies are `Secure`.
    pub secure_cookies: bool,
}

/// An error answer: a status and a message naming the problem (`{"error": "..."}`).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
    pub fn bad_request(m: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, m)
    }
    pub fn unauthorized(m: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, m)
    }
    pub fn forbidden(m: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, m)
    }
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, m)
    }
    pub fn internal(m: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, m)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!("database: {e}");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database failed; nothing was stored",
        )
    }
}

impl From<decode::DecodeError> for ApiError {
    fn from(e: decode::DecodeError) -> Self {
        match e {
            decode::DecodeError::TooManyLines(_) => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string())
            }
            _ => ApiError::bad_request(e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        r
    }
}

/// Every route. `/healthz` and `/readyz` are open; everything else needs a token.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/v1/ingest/alerts", post(ingest_alerts))
        .route("/api/v1/ingest/scan-reports", post(ingest_scan))
        .route("/api/v1/ingest/posture", post(ingest_posture))
        .route("/api/v1/alerts", get(list_alerts))
        .route("/api/v1/alerts/{id}", get(get_alert))
        .route("/api/v1/alerts/{id}/status", post(set_status))
        .route("/api/v1/images", get(list_images))
        .route("/api/v1/images/{digest}", get(get_image))
        .route("/api/v1/vulnerabilities", get(list_vulnerabilities))
        .route("/api/v1/recommendations", get(list_recommendations))
        .route("/api/v1/tokens", post(create_token))
        .route(
            "/api/v1/suppressions",
            get(list_suppressions).post(create_suppression),
        )
        .route(
            "/api/v1/suppressions/{id}",
            axum::routing::delete(delete_suppression),
        )
        .route("/api/v1/suppressions/simulate", post(simulate_suppression))
        .merge(crate::dashboard::routes())
        .route("/api/v1/ingest/heartbeats", post(ingest_heartbeat))
        .route("/api/v1/coverage", get(coverage))
        .route("/api/v1/containers", get(list_containers))
        // Bodies are read (and bounded) by the handlers, which name the limit.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(s): State<AppState>) -> Result<&'static str, ApiError> {
    sqlx::query("SELECT 1").execute(&s.db.pool).await?;
    Ok("ready\n")
}

/// The body, at most `limit` bytes, else 413 naming the limit.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let too_large = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            || e.to_string().contains("length limit");
        if too_large {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body is larger than the limit of {limit} bytes"),
            )
        } else {
            ApiError::bad_request(format!("could not read the request body: {e}"))
        }
    })
}

async fn ingest_alerts(
    State(s): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Json<store::IngestResult>, ApiError> {
    caller.require(INGEST, "send documents")?;
    let body = read_body(body, s.limits.max_body).await?;
    let alerts = decode::decode_alerts(&body, s.limits.max_lines, &now())?;
    Ok(Json(store::ingest_alerts(&s.db, &alerts).await?))
}

async fn ingest_scan(
    State(s): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Json<store::IngestResult>, ApiError> {
    caller.require(INGEST, "send documents")?;
    let body = read_body(body, s.limits.max_body).await?;
    let scan = decode::decode_scan_report(&body)?;
    Ok(Json(store::ingest_scan(&s.db, &scan).await?))
}

async fn ingest_posture(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Json<store::IngestResult>, ApiError> {
    caller.require(INGEST, "send documents")?;
    let scope = q.get("scope").map_or("default", String::as_str);
    if scope.is_empty() || scope.len() > 200 {
        return Err(ApiError::bad_request("scope must be 1 to 200 bytes"));
    }
    let body = read_body(body, s.limits.max_body).await?;
    let posture = decode::decode_posture(&body)?;
    Ok(Json(
        store::ingest_posture(&s.db, scope, &posture, &caller.who()).await?,
    ))
}

/// Query parameters of every list: `limit`, `cursor`, and the list's filters.
#[derive(Debug, Deserialize, Default)]
pub struct ListParams {
    limit: Option<String>,
    cursor: Option<String>,
    severity: Option<String>,
    status: Option<String>,
    rule: Option<String>,
    namespace: Option<String>,
    cluster: Option<String>,
    node: Option<String>,
    text: Option<String>,
    kev: Option<String>,
    fixable: Option<String>,
    vulnerable: Option<String>,
    package: Option<String>,
    image: Option<String>,
    scope: Option<String>,
    tactic: Option<String>,
    technique: Option<String>,
    since: Option<String>,
    until: Option<String>,
}

fn time_param(v: &Option<String>, name: &str) -> Result<Option<String>, ApiError> {
    v.as_deref()
        .map(|t| {
            decode::normalize_time(t).ok_or_else(|| {
                ApiError::bad_request(format!("{name} {t:?} is not an RFC 3339 time"))
            })
        })
        .transpose()
}

fn page_size(p: &ListParams) -> Result<usize, ApiError> {
    match &p.limit {
        None => Ok(DEFAULT_PAGE),
        Some(l) => match l.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(format!(
                "limit must be a number from 1 to {MAX_PAGE}"
            ))),
        },
    }
}

fn cursor(p: &ListParams, n: usize) -> Result<Option<Vec<String>>, ApiError> {
    p.cursor
        .as_deref()
        .map(|c| {
            decode_cursor(c, n).ok_or_else(|| {
                ApiError::bad_request("cursor is not one this list returned (use next_cursor)")
            })
        })
        .transpose()
}

fn flag(v: &Option<String>, name: &str) -> Result<bool, ApiError> {
    match v.as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(o) => Err(ApiError::bad_request(format!(
            "{name} must be true or false, not {o:?}"
        ))),
    }
}

fn severity(v: &Option<String>) -> Result<Option<String>, ApiError> {
    v.as_deref()
        .map(|s| {
            s.parse::<palisade_model::Severity>()
                .map(|s| s.as_str().to_string())
                .map_err(ApiError::bad_request)
        })
        .transpose()
}

async fn list_alerts(
    State(s): State<AppState>,
    caller: Caller,
    Query(p): Query<ListParams>,
) -> Result<Json<query::Page<query::AlertSummary>>, ApiError> {
    caller.require(READ, "read alerts")?;
    let limit = page_size(&p)?;
    if let Some(st) = &p.status {
        if !store::ALERT_STATUSES.contains(&st.as_str()) {
            return Err(ApiError::bad_request(format!(
                "status must be one of {}",
                store::ALERT_STATUSES.join(", ")
            )));
        }
    }
    let after = cursor(&p, 2)?.map(|mut c| {
        let id = c.pop().unwrap_or_default();
        (c.pop().unwrap_or_default(), id)
    });
    let f = query::AlertFilter {
        severity: severity(&p.severity)?,
        status: p.status,
        rule: p.rule,
        namespace: p.namespace,
        cluster: p.cluster,
        node: p.node,
        text: p.text,
        tactic: p.tactic,
        technique: p.technique,
        image: p.image,
        since: time_param(&p.since, "since")?,
        until: time_param(&p.until, "until")?,
        after,
    };
    Ok(Json(query::list_alerts(&s.db, &f, limit).await?))
}

async fn get_alert(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<query::AlertDetail>, ApiError> {
    caller.require(READ, "read alerts")?;
    query::get_alert(&s.db, &id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no alert {id}")))
}

#[derive(Debug, Deserialize)]
struct StatusChange {
    status: String,
    reason: String,
}

#[derive(Debug, Serialize)]
struct StatusChanged {
    id: String,
    from: String,
    to: String,
}

async fn set_status(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<StatusChanged>, ApiError> {
    caller.require(OPERATE, "change alert status")?;
    let body = read_body(body, 64 << 10).await?;
    let change: StatusChange = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "expected {{\"status\": ..., \"reason\": ...}}: {e}"
        ))
    })?;
    if !store::ALERT_STATUSES.contains(&change.status.as_str()) {
        return Err(ApiError::bad_request(format!(
            "status must be one of {}",
            store::ALERT_STATUSES.join(", ")
        )));
    }
    let reason = change.reason.trim();
    if reason.is_empty() || reason.len() > 2000 {
        return Err(ApiError::bad_request("reason must be 1 to 2000 bytes"));
    }
    let from = store::set_alert_status(&s.db, &id, &change.status, reason, &caller.who())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no alert {id}")))?;
    Ok(Json(StatusChanged {
        id,
        from,
        to: change.status,
    }))
}

async fn list_images(
    State(s): State<AppState>,
    caller: Caller,
    Query(p): Query<ListParams>,
) -> Result<Json<query::Page<query::ImageSummary>>, ApiError> {
    caller.require(READ, "read images")?;
    let limit = page_size(&p)?;
    let after = cursor(&p, 1)?.and_then(|mut c| c.pop());
    let vulnerable = flag(&p.vulnerable, "vulnerable")?;
    Ok(Json(
        query::list_images(&s.db, p.text.as_deref(), vulnerable, after, limit).await?,
    ))
}

async fn get_image(
    State(s): State<AppState>,
    caller: Caller,
    Path(digest): Path<String>,
) -> Result<Json<query::ImageDetail>, ApiError> {
    caller.require(READ, "read images")?;
    if !decode::valid_digest(&digest) {
        return Err(ApiError::bad_request(
            "an image digest is sha256:<64 hex digits>",
        ));
    }
    query::get_image(&s.db, &digest)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no image {digest}")))
}

async fn list_vulnerabilities(
    State(s): State<AppState>,
    caller: Caller,
    Query(p): Query<ListParams>,
) -> Result<Json<query::Page<query::VulnSummary>>, ApiError> {
    caller.require(READ, "read vulnerabilities")?;
    let limit = page_size(&p)?;
    let f = query::VulnFilter {
        severity: severity(&p.severity)?,
        kev: flag(&p.kev, "kev")?,
        fixable: flag(&p.fixable, "fixable")?,
        package: p.package.clone(),
        image: p.image.clone(),
        after: cursor(&p, 1)?.and_then(|mut c| c.pop()),
    };
    Ok(Json(query::list_vulnerabilities(&s.db, &f, limit).await?))
}

async fn list_recommendations(
    State(s): State<AppState>,
    caller: Caller,
    Query(p): Query<ListParams>,
) -> Result<Json<query::Page<query::Recommendation>>, ApiError> {
    caller.require(READ, "read recommendations")?;
    let limit = page_size(&p)?;
    let after = match cursor(&p, 2)? {
        Some(c) => Some((
            c[0].parse::<i64>()
                .map_err(|_| ApiError::bad_request("cursor is not one this list returned"))?,
            c[1].clone(),
        )),
        None => None,
    };
    let f = query::RecommendationFilter {
        severity: severity(&p.severity)?,
        scope: p.scope.clone(),
        namespace: p.namespace.clone(),
        after,
    };
    Ok(Json(query::list_recommendations(&s.db, &f, limit).await?))
}

#[derive(Debug, Deserialize)]
struct NewToken {
    role: String,
    name: String,
}

async fn create_token(
    State(s): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    caller.require(ADMIN, "create tokens")?;
    let body = read_body(body, 64 << 10).await?;
    let req: NewToken = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!("expected {{\"role\": ..., \"name\": ...}}: {e}"))
    })?;
    let role = req.role.parse().map_err(ApiError::bad_request)?;
    let token = crate::auth::create_token(&s.db, role, &req.name, &caller.who())
        .await
        .map_err(|e| match e {
            crate::ServerError::Invalid(m) => ApiError::bad_request(m),
            other => {
                tracing::error!("{other}");
                ApiError::internal("could not create the token")
            }
        })?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"token": token, "role": role.as_str(), "name": req.name})),
    ))
}

#[derive(Debug, Deserialize)]
struct NewSuppression {
    #[serde(flatten)]
    matcher: crate::suppress::Matcher,
    reason: String,
}

/// The JSON body of a suppression request, bounded, its matcher normalised.
async fn suppression_body<T: serde::de::DeserializeOwned>(body: Body) -> Result<T, ApiError> {
    let body = read_body(body, 64 << 10).await?;
    serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "expected {{\"rule_id\": ..., optional \"cluster\", \"namespace\", \"image\", \
             \"process_name\", \"container_name\"}}: {e}"
        ))
    })
}

/// Checks a suppression reason: 1 to 2000 bytes.
pub fn suppression_reason(reason: &str) -> Result<&str, ApiError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.len() > 2000 {
        return Err(ApiError::bad_request("reason must be 1 to 2000 bytes"));
    }
    Ok(reason)
}

async fn list_suppressions(
    State(s): State<AppState>,
    caller: Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(READ, "read suppression rules")?;
    let rules = crate::suppress::list(&s.db.pool).await?;
    Ok(Json(serde_json::json!({ "items": rules })))
}

async fn create_suppression(
    State(s): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<(StatusCode, Json<crate::suppress::Rule>), ApiError> {
    caller.require(ADMIN, "manage suppression rules")?;
    let req: NewSuppression = suppression_body(body).await?;
    let matcher = req.matcher.normalized().map_err(ApiError::bad_request)?;
    let reason = suppression_reason(&req.reason)?;
    let rule = crate::suppress::create(&s.db, matcher, reason, &caller.who()).await?;
    Ok((StatusCode::CREATED, Json(rule)))
}

async fn delete_suppression(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(ADMIN, "manage suppression rules")?;
    if crate::suppress::delete(&s.db, &id, &caller.who()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no suppression rule {id}")))
    }
}

async fn simulate_suppression(
    State(s): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Json<crate::suppress::Simulation>, ApiError> {
    caller.require(READ, "simulate suppression rules")?;
    let m: crate::suppress::Matcher = suppression_body(body).await?;
    let m = m.normalized().map_err(ApiError::bad_request)?;
    Ok(Json(crate::suppress::simulate(&s.db, &m).await?))
}

async fn ingest_heartbeat(
    State(s): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Json<store::IngestResult>, ApiError> {
    caller.require(INGEST, "send documents")?;
    let body = read_body(body, s.limits.max_body).await?;
    let hb = crate::heartbeat::decode_heartbeat(&body)?;
    Ok(Json(crate::inventory::ingest_heartbeat(&s.db, &hb).await?))
}

/// A sensor whose last heartbeat is older than this (four of the default 30 s intervals) is
/// stale.
const DEFAULT_STALE_SECONDS: u64 = 120;

async fn coverage(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<crate::inventory::Coverage>, ApiError> {
    caller.require(READ, "read coverage")?;
    let stale = match q.get("stale_after") {
        None => DEFAULT_STALE_SECONDS,
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (1..=30 * 86_400).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(
                    "stale_after is a number of seconds from 1 to 2592000",
                ))
            }
        },
    };
    Ok(Json(
        crate::inventory::coverage(&s.db, std::time::Duration::from_secs(stale)).await?,
    ))
}

async fn list_containers(
    State(s): State<AppState>,
    caller: Caller,
    Query(p): Query<ListParams>,
) -> Result<Json<query::Page<crate::inventory::ContainerSummary>>, ApiError> {
    caller.require(READ, "read containers")?;
    let limit = page_size(&p)?;
    let after = cursor(&p, 2)?.map(|mut c| {
        let id = c.pop().unwrap_or_default();
        (c.pop().unwrap_or_default(), id)
    });
    let f = crate::inventory::ContainerFilter {
        cluster: p.cluster.clone(),
        node: p.node.clone(),
        namespace: p.namespace.clone(),
        vulnerable: flag(&p.vulnerable, "vulnerable")?,
        after,
    };
    Ok(Json(
        crate::inventory::list_containers(&s.db, &f, limit).await?,
    ))
}
