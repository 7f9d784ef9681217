//! API tokens: 256 random bits shown once, stored as their SHA-256; one role each. The
//! `Caller` extractor authenticates every request that needs it (bearer token).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use crate::api::{ApiError, AppState};
use crate::db::{now, random_id, Db};
use crate::ServerError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Tokens and settings, and everything an operator may do.
    Admin,
    /// Alert status (and later suppression rules), and reading.
    Operator,
    /// Reading only.
    Reader,
    /// Write-only: sensors and scanners sending documents.
    Ingest,
}

pub const ROLES: &[Role] = &[Role::Admin, Role::Operator, Role::Reader, Role::Ingest];

/// Who may read the query API.
pub const READ: &[Role] = &[Role::Admin, Role::Operator, Role::Reader];
/// Who may change alerts.
pub const OPERATE: &[Role] = &[Role::Admin, Role::Operator];
/// Who may send documents.
pub const INGEST: &[Role] = &[Role::Ingest];
/// Who may manage tokens.
pub const ADMIN: &[Role] = &[Role::Admin];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Operator => "operator",
            Self::Reader => "reader",
            Self::Ingest => "ingest",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ROLES
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role {s:?} (admin, operator, reader, ingest)"))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A new token: `pal_` and 64 hex digits (256 random bits).
pub fn generate_token() -> String {
    let mut b = [0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
    format!("pal_{}", hex::encode(b))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token and records it in the audit trail; returns the secret (shown once).
pub async fn create_token(
    db: &Db,
    role: Role,
    name: &str,
    created_by: &str,
) -> Result<String, ServerError> {
    if name.is_empty() || name.len() > 200 {
        return Err(ServerError::Invalid(
            "a token name must be 1 to 200 bytes".into(),
        ));
    }
    let token = generate_token();
    let id = random_id();
    let at = now();
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO api_tokens (id, name, role, token_sha256, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(name)
    .bind(role.as_str())
    .bind(token_hash(&token))
    .bind(&at)
    .bind(created_by)
    .execute(&mut *tx)
    .await?;
    crate::store::audit(
        &mut tx,
        created_by,
        "token.create",
        &format!("token:{id}"),
        &serde_json::json!({"name": name, "role": role.as_str()}),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// On a store without any admin token, creates one (named `bootstrap`) and returns it.
pub async fn bootstrap(db: &Db) -> Result<Option<String>, ServerError> {
    let admins: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL",
    )
    .fetch_one(&db.pool)
    .await?;
    if admins.0 > 0 {
        return Ok(None);
    }
    create_token(db, Role::Admin, "bootstrap", "server")
        .await
        .map(Some)
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: String,
    pub name: String,
    pub role: Role,
}

impl Caller {
    /// `who` for the audit trail: `token-name (token id)`.
    pub fn who(&self) -> String {
        format!("{} ({})", self.name, self.token_id)
    }

    /// 403 unless the caller's role is one of `allowed`.
    pub fn require(&self, allowed: &[Role], what: &str) -> Result<(), ApiError> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            let roles: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
            Err(ApiError::forbidden(format!(
                "role {} may not {what} (needs {})",
                self.role,
                roles.join(" or ")
            )))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("missing Authorization: Bearer <token>"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorized("Authorization must be Bearer <token>"))?;
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT id, name, role FROM api_tokens WHERE token_sha256 = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(&state.db.pool)
        .await?;
        let (token_id, name, role) =
            row.ok_or_else(|| ApiError::unauthorized("unknown or revoked token"))?;
        let role = role
            .parse()
            .map_err(|e: String| ApiError::internal(format!("stored token: {e}")))?;
        Ok(Caller {
            token_id,
            name,
            role,
        })
    }
}
