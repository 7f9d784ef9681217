//! The dashboard: server-rendered HTML pages (maud templates compiled into the binary) on the
//! same router as the API, at `/`. One file per page; `layout` is the page shell, `session`
//! the login (token → server-side session, cookie, CSRF), `svg` the charts, `data` the
//! dashboard's own queries. Every asset is embedded; every response carries a strict
//! Content-Security-Policy (no inline script or style), and plain links and forms do it all.

pub mod alerts;
pub mod bench;
pub mod data;
pub mod layout;
pub mod overview;
pub mod recommendations;
pub mod session;
pub mod settings;
pub mod svg;
pub mod vulnerabilities;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::api::{ApiError, AppState};
use crate::auth::Role;

/// The Content-Security-Policy of every dashboard response.
pub const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
    img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The stylesheet, embedded.
pub const CSS: &str = include_str!("dashboard.css");

/// One page of the navigation: path, title, the roles that see it.
pub struct NavPage {
    pub path: &'static str,
    pub title: &'static str,
    pub roles: &'static [Role],
}

/// The navigation, in order: every top-level page (the completeness test opens each).
pub const NAV: &[NavPage] = &[
    NavPage {
        path: "/",
        title: "Overview",
        roles: crate::auth::READ,
    },
    NavPage {
        path: "/alerts",
        title: "Security alerts",
        roles: crate::auth::READ,
    },
    NavPage {
        path: "/recommendations",
        title: "Recommendations",
        roles: crate::auth::READ,
    },
    NavPage {
        path: "/vulnerabilities",
        title: "Vulnerabilities",
        roles: crate::auth::READ,
    },
    NavPage {
        path: "/settings",
        title: "Settings",
        roles: crate::auth::ADMIN,
    },
];

/// The dashboard's routes (merged into the API router, which adds the state).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(overview::page))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/alerts", get(alerts::list))
        .route("/alerts/{id}", get(alerts::detail))
        .route("/alerts/{id}/status", post(alerts::set_status))
        .route("/alerts/{id}/suppress", post(alerts::suppress_preview))
        .route("/recommendations", get(recommendations::page))
        .route("/vulnerabilities", get(vulnerabilities::page))
        .route("/images/{digest}", get(vulnerabilities::image))
        .route("/cves/{id}", get(vulnerabilities::cve))
        .route("/settings", get(settings::page))
        .route("/settings/tokens", post(settings::create_token))
        .route("/settings/suppressions", post(settings::create_suppression))
        .route(
            "/settings/suppressions/{id}/delete",
            post(settings::delete_suppression),
        )
        .route("/static/dashboard.css", get(css))
        .layer(axum::middleware::from_fn(security_headers))
}

/// CSP, nosniff, no referrer, no caching of pages (they show live state and a CSRF token).
async fn security_headers(req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/static/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

/// A page that could not be shown: its status and a message, as an HTML page.
#[derive(Debug)]
pub struct DashError {
    pub status: StatusCode,
    pub message: String,
}

impl DashError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        DashError {
            status,
            message: message.into(),
        }
    }
    pub fn bad_request(m: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, m)
    }
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, m)
    }
    pub fn forbidden(m: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, m)
    }
}

impl From<sqlx::Error> for DashError {
    fn from(e: sqlx::Error) -> Self {
        let api: ApiError = e.into();
        api.into()
    }
}

impl From<ApiError> for DashError {
    fn from(e: ApiError) -> Self {
        DashError::new(e.status, e.message)
    }
}

impl From<crate::ServerError> for DashError {
    fn from(e: crate::ServerError) -> Self {
        match e {
            crate::ServerError::Invalid(m) => DashError::bad_request(m),
            other => {
                tracing::error!("dashboard: {other}");
                DashError::new(StatusCode::INTERNAL_SERVER_ERROR, "the server failed")
            }
        }
    }
}

impl IntoResponse for DashError {
    fn into_response(self) -> Response {
        let body = layout::bare(
            "Error",
            maud::html! {
                main.narrow {
                    h1 { (self.status.as_u16()) " " (self.status.canonical_reason().unwrap_or("")) }
                    p.error { (self.message) }
                    p { a href="/" { "Back to the overview" } }
                }
            },
        );
        (self.status, body).into_response()
    }
}

pub type PageResult = Result<Response, DashError>;

/// `application/x-www-form-urlencoded` / query-string encoding of one value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `path?k=v&...` from the pairs whose value is not empty.
pub fn link(path: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let q: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", encode(v)))
        })
        .collect();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", q.join("&"))
    }
}

/// A 303 redirect (after a POST, or to the login page).
pub fn see_other(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// The fuzz target `dashboard_input`: the session cookie parser, a suppression rule's JSON
/// body (decoded, normalised, matched), the list cursors and the link encoder.
pub fn fuzz_inputs(data: &[u8]) {
    if let Ok(v) = HeaderValue::from_bytes(data) {
        let mut h = axum::http::HeaderMap::new();
        h.insert(header::COOKIE, v);
        let _ = session::cookie_value(&h);
    }
    if let Ok(m) = serde_json::from_slice::<crate::suppress::Matcher>(data) {
        if let Ok(m) = m.normalized() {
            let _ = m.matches(&crate::suppress::AlertFields {
                rule_id: Some(&m.rule_id),
                ..Default::default()
            });
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = crate::query::decode_cursor(s, 2);
        let _ = link("/alerts", &[("q", Some(s))]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_encode_their_values() {
        assert_eq!(encode("a b&c=<d>"), "a%20b%26c%3D%3Cd%3E");
        assert_eq!(
            link(
                "/alerts",
                &[("severity", Some("HIGH")), ("rule", None), ("x", Some(""))]
            ),
            "/alerts?severity=HIGH"
        );
        assert_eq!(link("/alerts", &[]), "/alerts");
    }

    #[test]
    fn navigation_pages_are_routes() {
        // Every page in the navigation is a distinct absolute path.
        let mut paths: Vec<&str> = NAV.iter().map(|p| p.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), NAV.len());
        assert!(NAV.iter().all(|p| p.path.starts_with('/')));
    }
}
