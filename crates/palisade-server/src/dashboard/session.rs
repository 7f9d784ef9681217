//! Dashboard login: an API token posted once opens a server-side session (256 random bits in an
//! `HttpOnly`, `SameSite=Strict` cookie, `Secure` when the server is reached over HTTPS; only
//! the id's SHA-256 is stored). The session acts with its token's role, ends when the token is
//! revoked, after `SESSION_HOURS`, or at logout. Every POST form carries the session's CSRF
//! token, checked here.

use std::time::{Duration, SystemTime};

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;

use crate::api::AppState;
use crate::auth::{token_hash, Caller, Role, READ};
use crate::db::{now, random_id};

use super::{layout, see_other, DashError, PageResult};

pub const COOKIE: &str = "palisade_session";
pub const SESSION_HOURS: u64 = 12;

/// The logged-in user of a dashboard request.
#[derive(Debug, Clone)]
pub struct Session {
    pub caller: Caller,
    pub csrf: String,
}

impl Session {
    /// 403 unless the session's role is one of `allowed` (the API's role tables).
    pub fn require(&self, allowed: &[Role], what: &str) -> Result<(), DashError> {
        self.caller.require(allowed, what).map_err(DashError::from)
    }

    pub fn may(&self, allowed: &[Role]) -> bool {
        allowed.contains(&self.caller.role)
    }

    /// The form's CSRF token must be this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), DashError> {
        if constant_time_eq(token.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(DashError::forbidden(
                "the form's CSRF token is missing or not this session's: reload the page and \
                 try again",
            ))
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session cookie's value in a request.
pub fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Not logged in: pages redirect to the login page.
pub struct LoginRequired;

impl IntoResponse for LoginRequired {
    fn into_response(self) -> Response {
        see_other("/login")
    }
}

pub enum SessionRejection {
    Login,
    Error(DashError),
}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        match self {
            SessionRejection::Login => LoginRequired.into_response(),
            SessionRejection::Error(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, SessionRejection> {
        // A form posted from another site is refused before anything else (defence in depth:
        // the cookie is SameSite=Strict and every form carries a CSRF token).
        if parts.method == axum::http::Method::POST
            && parts
                .headers
                .get("sec-fetch-site")
                .is_some_and(|v| v.as_bytes() == b"cross-site")
        {
            return Err(SessionRejection::Error(DashError::forbidden(
                "cross-site form posts are refused",
            )));
        }
        let id = cookie_value(&parts.headers).ok_or(SessionRejection::Login)?;
        let row: Option<(String, String, String, String)> = sqlx::query_as(
            "SELECT s.csrf, t.id, t.name, t.role FROM dashboard_sessions s \
             JOIN api_tokens t ON t.id = s.token_id \
             WHERE s.id_sha256 = $1 AND s.expires_at > $2 AND t.revoked_at IS NULL",
        )
        .bind(token_hash(&id))
        .bind(now())
        .fetch_optional(&state.db.pool)
        .await
        .map_err(|e| SessionRejection::Error(e.into()))?;
        let (csrf, token_id, name, role) = row.ok_or(SessionRejection::Login)?;
        let role: Role = role.parse().map_err(|e: String| {
            SessionRejection::Error(DashError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                format!("stored token: {e}"),
            ))
        })?;
        Ok(Session {
            caller: Caller {
                token_id,
                name,
                role,
            },
            csrf,
        })
    }
}

pub async fn login_page() -> Response {
    login_form(None).into_response()
}

fn login_form(error: Option<&str>) -> axum::response::Html<String> {
    layout::bare(
        "Log in",
        html! {
            main.login {
                h1 { "Palisade" }
                p.muted { "Log in with an API token (admin, operator or reader)." }
                @if let Some(e) = error {
                    p.error id="login-error" { (e) }
                }
                form method="post" action="/login" {
                    label for="token" { "API token" }
                    input #token type="password" name="token" autocomplete="off" required
                        placeholder="pal_…";
                    button type="submit" { "Log in" }
                }
                p.muted.small {
                    "The server prints a bootstrap admin token when it starts on an empty store; "
                    code { "palisade server token create --role reader" } " makes more."
                }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    token: String,
}

pub async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> PageResult {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return Err(DashError::forbidden("cross-site form posts are refused"));
    }
    let token = f.token.trim();
    let row: Option<(String, String)> = if token.is_empty() || token.len() > 200 {
        None
    } else {
        sqlx::query_as(
            "SELECT id, role FROM api_tokens WHERE token_sha256 = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(&s.db.pool)
        .await?
    };
    let Some((token_id, role)) = row else {
        return Ok((
            axum::http::StatusCode::UNAUTHORIZED,
            login_form(Some("Unknown or revoked token.")),
        )
            .into_response());
    };
    if !role.parse::<Role>().is_ok_and(|r| READ.contains(&r)) {
        return Ok((
            axum::http::StatusCode::FORBIDDEN,
            login_form(Some(
                "This token may only send documents (role ingest); log in with an admin, \
                 operator or reader token.",
            )),
        )
            .into_response());
    }
    let mut raw = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut raw);
    let id = hex::encode(raw);
    let expires = humantime::format_rfc3339_micros(
        SystemTime::now() + Duration::from_secs(SESSION_HOURS * 3600),
    )
    .to_string();
    let at = now();
    // Expired sessions are swept at each login.
    sqlx::query("DELETE FROM dashboard_sessions WHERE expires_at <= $1")
        .bind(&at)
        .execute(&s.db.pool)
        .await?;
    sqlx::query(
        "INSERT INTO dashboard_sessions (id_sha256, token_id, csrf, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(&id))
    .bind(&token_id)
    .bind(random_id() + &random_id())
    .bind(&at)
    .bind(&expires)
    .execute(&s.db.pool)
    .await?;
    let mut resp = see_other("/");
    let cookie = session_cookie(&id, SESSION_HOURS * 3600, s.secure_cookies);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// The `Set-Cookie` value of a session (`max_age` 0 clears it).
pub fn session_cookie(id: &str, max_age: u64, secure: bool) -> String {
    format!(
        "{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn logout(
    State(s): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    session.check_csrf(&f.csrf)?;
    if let Some(id) = cookie_value(&headers) {
        sqlx::query("DELETE FROM dashboard_sessions WHERE id_sha256 = $1")
            .bind(token_hash(&id))
            .execute(&s.db.pool)
            .await?;
    }
    let mut resp = see_other("/login");
    if let Ok(v) = HeaderValue::from_str(&session_cookie("", 0, s.secure_cookies)) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_read_only_when_well_formed() {
        let id = "ab".repeat(32);
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {COOKIE}={id}")).unwrap(),
        );
        assert_eq!(cookie_value(&h), Some(id));
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("palisade_session=../../etc"),
        );
        assert_eq!(cookie_value(&h), None);
    }

    #[test]
    fn cookie_flags() {
        let c = session_cookie("x", 60, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.ends_with("Secure"));
        assert!(!session_cookie("x", 60, false).contains("Secure"));
    }

    #[test]
    fn csrf_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
