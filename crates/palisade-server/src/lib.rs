//! The central server: one store (SQLite or PostgreSQL, through `sqlx`) for the documents the
//! engines print, an ingest API that takes them unchanged, a query API, the alert lifecycle
//! and API tokens with roles. `decode` is pure (and fuzzed); `store` writes, `query` reads,
//! `api` is the thin HTTP layer, `auth` the tokens.

pub mod api;
pub mod auth;
pub mod bench;
pub mod client;
pub mod dashboard;
pub mod db;
pub mod decode;
pub mod heartbeat;
pub mod inventory;
pub mod query;
pub mod seed;
pub mod store;
pub mod suppress;

use std::net::SocketAddr;

pub use api::{router, AppState, Limits};
pub use auth::Role;
pub use db::Db;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("database URL {0:?}: use sqlite:PATH or postgres://USER:PASSWORD@HOST/DB")]
    BadUrl(String),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub db_url: String,
    /// Serve plain HTTP on a non-loopback address (there is no TLS yet).
    pub insecure_listen: bool,
    /// The server is reached over HTTPS (behind a TLS proxy): dashboard cookies are `Secure`.
    pub secure_cookies: bool,
    pub limits: Limits,
}

/// The default store: `sqlite:` a file `server.db` in `$XDG_DATA_HOME/palisade` (or
/// `~/.local/share/palisade`), the directory created.
pub fn default_db_url() -> Result<String, ServerError> {
    let base = match std::env::var_os("XDG_DATA_HOME") {
        Some(x) if !x.is_empty() => std::path::PathBuf::from(x),
        _ => match std::env::var_os("HOME") {
            Some(h) => std::path::PathBuf::from(h).join(".local/share"),
            None => {
                return Err(ServerError::Invalid(
                    "neither XDG_DATA_HOME nor HOME is set: pass --db".into(),
                ))
            }
        },
    };
    let dir = base.join("palisade");
    std::fs::create_dir_all(&dir)?;
    Ok(format!("sqlite:{}", dir.join("server.db").display()))
}

/// Connects (applying migrations), prints a bootstrap admin token on a store without one,
/// then serves until SIGINT or SIGTERM (graceful: requests in flight finish).
pub async fn serve(config: ServerConfig) -> Result<(), ServerError> {
    if !config.listen.ip().is_loopback() && !config.insecure_listen {
        return Err(ServerError::Invalid(format!(
            "{} is not a loopback address and the server speaks plain HTTP (no TLS yet): \
             listen on 127.0.0.1 behind a TLS proxy, or pass --insecure-listen",
            config.listen
        )));
    }
    let db = Db::connect(&config.db_url).await?;
    if let Some(token) = auth::bootstrap(&db).await? {
        tracing::warn!(
            "no admin token existed: created the bootstrap admin token (shown once): {token}"
        );
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    serve_listener(listener, db, config.limits, config.secure_cookies).await
}

/// Serves `db` on a bound listener until SIGINT or SIGTERM (graceful).
pub async fn serve_listener(
    listener: tokio::net::TcpListener,
    db: Db,
    limits: Limits,
    secure_cookies: bool,
) -> Result<(), ServerError> {
    tracing::info!(
        "palisade server listening on {} ({:?} store)",
        listener.local_addr()?,
        db.backend
    );
    let app = router(AppState {
        db,
        limits,
        secure_cookies,
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// `palisade server token create`: a new token of `role` in the store at `db_url`.
pub async fn create_token(db_url: &str, role: Role, name: &str) -> Result<String, ServerError> {
    let db = Db::connect(db_url).await?;
    let token = auth::create_token(&db, role, name, "cli").await;
    db.pool.close().await;
    token
}
