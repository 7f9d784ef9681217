//! The on-disk vulnerability database: one SQLite file (`vuln.db`) with a versioned schema.
//!
//! - Advisories are stored once (`advisories`), with one `affected` row per package they name,
//!   indexed by (lookup ecosystem, normalised name): a scan does one indexed lookup per
//!   package. Each row's ranges are kept as the OSV JSON of that `affected` entry.
//! - Per-CVE facts live in `nvd`, `epss` and `kev`.
//! - Every row names the feed it came from; `feeds` records each feed's source, validators
//!   (ETag, Last-Modified, sha256), counts and update time. That is what lets an update copy
//!   unchanged feeds from the previous database instead of downloading them again.
//! - The file is only ever replaced whole: [`builder::StoreBuilder`] writes a new file beside
//!   it and renames it over the old one, so readers see the old or the new database, never a
//!   half-written one, and a killed update leaves the old one in place.

pub mod builder;

use std::path::{Path, PathBuf};

use palisade_model::{Epss, KevInfo};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::assess::{AdvisorySource, Enrichment};
use crate::feed::nvd::NvdCve;
use crate::osv::{Affected, Record, Severity};

/// Bumped whenever the tables change; an older or newer file is refused with a clear message.
pub const SCHEMA_VERSION: u32 = 1;

/// The database file's name inside the database directory.
pub const DB_FILE: &str = "vuln.db";

/// Beside the database: `sha256:<hex> <built_at>`, so scans can name the database they used
/// without hashing it each time. Ignored when its `built_at` is not the database's.
pub const DIGEST_FILE: &str = "vuln.db.sha256";

pub(crate) const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE feeds (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT,
    updated_at TEXT NOT NULL,
    records INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    info TEXT
) WITHOUT ROWID;
CREATE TABLE advisories (
    id INTEGER PRIMARY KEY,
    feed TEXT NOT NULL,
    advisory_id TEXT NOT NULL,
    aliases TEXT NOT NULL,
    summary TEXT,
    severity TEXT
);
CREATE TABLE affected (
    advisory INTEGER NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE nvd (cve TEXT PRIMARY KEY, feed TEXT NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE epss (
    cve TEXT PRIMARY KEY,
    feed TEXT NOT NULL,
    score REAL NOT NULL,
    percentile REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE kev (cve TEXT PRIMARY KEY, feed TEXT NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
";

/// Indexes are built after the bulk load (faster than maintaining them row by row).
pub(crate) const INDEXES: &str = "
CREATE INDEX affected_by_package ON affected (ecosystem, name);
CREATE INDEX advisories_by_feed ON advisories (feed);
";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no vulnerability database at {0} (run `palisade db update` or `palisade db import`)")]
    Missing(PathBuf),
    #[error("the vulnerability database {path} has schema version {found}, this palisade reads version {SCHEMA_VERSION} (run `palisade db update`)")]
    Schema { path: PathBuf, found: String },
    #[error("vulnerability database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("vulnerability database: {0}")]
    Io(#[from] std::io::Error),
    #[error("vulnerability database: corrupt row: {0}")]
    Corrupt(String),
    #[error("another update of {0} is running")]
    Locked(PathBuf),
}

/// One feed's line in `feeds`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FeedStatus {
    pub name: String,
    pub kind: String,
    pub source: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub sha256: Option<String>,
    pub updated_at: String,
    pub records: u64,
    pub skipped: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<serde_json::Value>,
}

/// A read-only view of the database, for scans.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    conn: Connection,
}

impl Store {
    /// Opens `dir/vuln.db` (or a file path) read-only and checks its schema version.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let path = if path.is_dir() {
            path.join(DB_FILE)
        } else {
            path.to_path_buf()
        };
        if !path.is_file() {
            return Err(StoreError::Missing(path));
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let found: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .unwrap_or(None);
        if found.as_deref() != Some(&SCHEMA_VERSION.to_string()) {
            return Err(StoreError::Schema {
                path,
                found: found.unwrap_or_else(|| "none".into()),
            });
        }
        Ok(Self { path, conn })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn feeds(&self) -> Result<Vec<FeedStatus>, StoreError> {
        feeds(&self.conn, "")
    }

    /// The database file's sha256 (`sha256:<hex>`), from the digest file written with it, or
    /// computed when that is missing or stale.
    pub fn digest(&self) -> Result<String, StoreError> {
        let built_at = self.meta("built_at")?.unwrap_or_default();
        let sidecar = self.path.with_file_name(DIGEST_FILE);
        if let Ok(text) = std::fs::read_to_string(&sidecar) {
            if let Some((digest, stamp)) = text.trim().split_once(' ') {
                if stamp == built_at && digest.starts_with("sha256:") {
                    return Ok(digest.to_string());
                }
            }
        }
        file_digest(&self.path)
    }

    /// Row counts of the main tables, for `db status`.
    pub fn counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        let mut out = Vec::new();
        for table in ["advisories", "affected", "nvd", "epss", "kev"] {
            let n: i64 =
                self.conn
                    .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            out.push((table, n as u64));
        }
        Ok(out)
    }
}

/// `sha256:<hex>` of a file.
pub fn file_digest(path: &Path) -> Result<String, StoreError> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(format!("sha256:{}", hex::encode(hasher.finalize())))
}

/// Records the digest of the database in `dir` beside it (after an import or a build).
pub fn write_digest(dir: &Path) -> Result<String, StoreError> {
    let store = Store::open(&dir.join(DB_FILE))?;
    let digest = file_digest(store.path())?;
    let built_at = store.meta("built_at")?.unwrap_or_default();
    let temp = dir.join(format!("{DIGEST_FILE}.tmp"));
    std::fs::write(&temp, format!("{digest} {built_at}\n"))?;
    std::fs::rename(&temp, dir.join(DIGEST_FILE))?;
    Ok(digest)
}

pub(crate) fn feeds(conn: &Connection, schema: &str) -> Result<Vec<FeedStatus>, StoreError> {
    let mut statement = conn.prepare(&format!(
        "SELECT name, kind, source, etag, last_modified, sha256, updated_at, records, skipped, info
         FROM {schema}feeds ORDER BY name"
    ))?;
    let rows = statement.query_map([], |r| {
        let info: Option<String> = r.get(9)?;
        Ok(FeedStatus {
            name: r.get(0)?,
            kind: r.get(1)?,
            source: r.get(2)?,
            etag: r.get(3)?,
            last_modified: r.get(4)?,
            sha256: r.get(5)?,
            updated_at: r.get(6)?,
            records: r.get::<_, i64>(7)? as u64,
            skipped: r.get::<_, i64>(8)? as u64,
            info: info.and_then(|i| serde_json::from_str(&i).ok()),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl AdvisorySource for Store {
    fn advisories_for(&self, ecosystem: &str, name: &str) -> Result<Vec<Record>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT a.id, a.advisory_id, a.aliases, a.summary, a.severity, f.data
             FROM affected f JOIN advisories a ON a.id = f.advisory
             WHERE f.ecosystem = ?1 AND f.name = ?2
             ORDER BY a.id",
        )?;
        let mut rows = statement.query((ecosystem, name))?;
        let mut out: Vec<(i64, Record)> = Vec::new();
        while let Some(row) = rows.next()? {
            let rowid: i64 = row.get(0)?;
            let affected: Affected = json(&row.get::<_, String>(5)?)?;
            if let Some((last, record)) = out.last_mut() {
                if *last == rowid {
                    record.affected.push(affected);
                    continue;
                }
            }
            let severity: Option<String> = row.get(4)?;
            let severity: Vec<Severity> = match severity {
                Some(s) => json(&s)?,
                None => Vec::new(),
            };
            out.push((
                rowid,
                Record {
                    id: row.get(1)?,
                    modified: None,
                    published: None,
                    withdrawn: None,
                    aliases: json(&row.get::<_, String>(2)?)?,
                    summary: row.get(3)?,
                    details: None,
                    severity,
                    affected: vec![affected],
                },
            ));
        }
        Ok(out.into_iter().map(|(_, r)| r).collect())
    }
}

impl Enrichment for Store {
    fn nvd(&self, cve: &str) -> Option<NvdCve> {
        let data: String = self
            .conn
            .prepare_cached("SELECT data FROM nvd WHERE cve = ?1")
            .and_then(|mut s| s.query_row([cve], |r| r.get(0)))
            .ok()?;
        serde_json::from_str(&data).ok()
    }

    fn epss(&self, cve: &str) -> Option<Epss> {
        self.conn
            .prepare_cached(
                "SELECT e.score, e.percentile, f.info FROM epss e JOIN feeds f ON f.name = e.feed
                 WHERE e.cve = ?1",
            )
            .and_then(|mut s| {
                s.query_row([cve], |r| {
                    let info: Option<String> = r.get(2)?;
                    let date = info
                        .and_then(|i| serde_json::from_str::<serde_json::Value>(&i).ok())
                        .and_then(|v| v.get("score_date")?.as_str().map(String::from));
                    Ok(Epss {
                        score: r.get(0)?,
                        percentile: r.get(1)?,
                        date,
                    })
                })
            })
            .ok()
    }

    fn kev(&self, cve: &str) -> Option<KevInfo> {
        let data: String = self
            .conn
            .prepare_cached("SELECT data FROM kev WHERE cve = ?1")
            .and_then(|mut s| s.query_row([cve], |r| r.get(0)))
            .ok()?;
        serde_json::from_str(&data).ok()
    }
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}
