//! The store: one `sqlx` code path (the `Any` driver) over SQLite and PostgreSQL, the schema's
//! migrations (embedded, applied at start), and the small helpers every query uses.

use std::borrow::Cow;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyQueryResult};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor};

use crate::ServerError;

/// The migrations, in order. Each is one portable SQL file under `migrations/`.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/0001_init.sql")),
    (
        2,
        "dashboard",
        include_str!("../migrations/0002_dashboard.sql"),
    ),
    (
        3,
        "inventory",
        include_str!("../migrations/0003_inventory.sql"),
    ),
];

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

/// `sqlite:PATH` (created when missing) or `postgres://...` → the URL sqlx takes.
pub fn parse_url(url: &str) -> Result<(Backend, String), ServerError> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = path.trim_start_matches("//");
        if path.is_empty() || path.contains('?') {
            return Err(ServerError::BadUrl(url.to_string()));
        }
        Ok((Backend::Sqlite, format!("sqlite://{path}?mode=rwc")))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Backend::Postgres, url.to_string()))
    } else {
        Err(ServerError::BadUrl(url.to_string()))
    }
}

impl Db {
    /// Connects and applies the migrations. SQLite runs in WAL mode with `synchronous=FULL`:
    /// a committed transaction survives a crash of the process and of the machine.
    pub async fn connect(url: &str) -> Result<Db, ServerError> {
        sqlx::any::install_default_drivers();
        let (backend, sqlx_url) = parse_url(url)?;
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        options = match backend {
            Backend::Sqlite => options.max_connections(4).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; \
                         PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;",
                    )
                    .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => options.max_connections(16),
        };
        let pool = options.connect(&sqlx_url).await?;
        let db = Db { pool, backend };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), ServerError> {
        let migrations: Vec<Migration> = MIGRATIONS
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    Cow::Borrowed(*sql),
                    false,
                )
            })
            .collect();
        let migrator = Migrator {
            migrations: Cow::Owned(migrations),
            ..Migrator::DEFAULT
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// SQLite's journal mode (`wal`), for tests and `/readyz`.
    pub async fn journal_mode(&self) -> Result<Option<String>, ServerError> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await?;
        Ok(Some(mode.0))
    }
}

/// Now, as stored: RFC 3339 UTC with microseconds.
pub fn now() -> String {
    humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string()
}

/// 128 random bits in hex: ids of tokens and audit-trail entries.
pub fn random_id() -> String {
    let mut b = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
    hex::encode(b)
}

/// A value bound to a `$n` placeholder of a query built at run time.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Int(i64),
}

/// A query's WHERE clause built from optional filters, every value bound.
#[derive(Debug, Default)]
pub struct Where {
    clauses: Vec<String>,
    pub binds: Vec<Bind>,
}

impl Where {
    /// The next placeholder (`$n`) for `value`.
    pub fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    /// Adds a clause; `{}` in it is replaced by the placeholder of `value`.
    pub fn and(&mut self, clause: &str, value: Bind) {
        let p = self.bind(value);
        self.clauses.push(clause.replace("{}", &p));
    }

    pub fn and_raw(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// Binds `binds` in order onto `q`.
pub fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.as_str()),
            Bind::Int(i) => q.bind(*i),
        };
    }
    q
}

/// A `LIKE` pattern matching `text` anywhere, case-insensitively (compare with `LOWER(col)`),
/// with `%`, `_` and `\` escaped (use `ESCAPE '\'`).
pub fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

pub fn rows(r: &AnyQueryResult) -> u64 {
    r.rows_affected()
}
