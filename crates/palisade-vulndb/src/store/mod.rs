//! The on-disk vulnerability database: one SQLite file (`vuln.db`) with a versioned schema.
//!
//! - Advisories are listed once (`advisories`: id, feed), and stored with one `affected` row
//!   per package they name. `affected` is clustered by (lookup ecosystem, normalised name) and
//!   carries the advisory's id, aliases, summary and severity beside the entry's ranges (OSV
//!   JSON): a package's advisories sit together on a page or two, so a scan does one range
//!   read per package and never jumps to other tables.
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

/// Bumped whenever the tables change, or the lookup keys rows are stored under
/// ([`crate::coordinates::store_ecosystem`]); an older or newer file is refused with a clear
/// message, and `db update` rebuilds it in full instead of copying unchanged feeds from it.
/// 3: SUSE Linux Enterprise records are stored under their code stream.
pub const SCHEMA_VERSION: u32 = 3;

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
    advisory_id TEXT NOT NULL
);
CREATE TABLE affected (
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    advisory INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    advisory_id TEXT NOT NULL,
    aliases TEXT NOT NULL,
    summary TEXT,
    severity TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (ecosystem, name, advisory, seq)
) WITHOUT ROWID;
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
CREATE INDEX affected_by_advisory ON affected (advisory);
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
        // The file is never written in place (updates rename a new one over it), so one shared
        // lock for the connection's lifetime and memory-mapped reads are safe, and they spare
        // a lock/unlock system call pair and a page read per lookup.
        conn.execute_batch(
            "PRAGMA locking_mode = EXCLUSIVE; PRAGMA mmap_size = 4294967296; PRAGMA cache_size = -32768;",
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
    Ok(format!(
        "sha256:{}",
        sha256_hex(&mut std::fs::File::open(path)?)?
    ))
}

/// The hex sha256 of everything `reader` yields.
pub(crate) fn sha256_hex(reader: &mut impl std::io::Read) -> std::io::Result<String> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(reader, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
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
            "SELECT advisory, advisory_id, aliases, summary, severity, data
             FROM affected WHERE ecosystem = ?1 AND name = ?2
             ORDER BY advisory, seq",
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
    fn facts(&self, cve: &str) -> crate::assess::CveFacts {
        let row = self
            .conn
            .prepare_cached(
                "SELECT (SELECT data FROM nvd WHERE cve = ?1),
                        (SELECT score FROM epss WHERE cve = ?1),
                        (SELECT percentile FROM epss WHERE cve = ?1),
                        (SELECT f.info FROM epss e JOIN feeds f ON f.name = e.feed WHERE e.cve = ?1),
                        (SELECT data FROM kev WHERE cve = ?1)",
            )
            .and_then(|mut s| {
                s.query_row([cve], |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<f64>>(1)?,
                        r.get::<_, Option<f64>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                })
            });
        let Ok((nvd, score, percentile, info, kev)) = row else {
            return crate::assess::CveFacts::default();
        };
        crate::assess::CveFacts {
            nvd: nvd.and_then(|d| serde_json::from_str(&d).ok()),
            epss: score.zip(percentile).map(|(score, percentile)| Epss {
                score,
                percentile,
                date: epss_date(info),
            }),
            kev: kev.and_then(|d| serde_json::from_str(&d).ok()),
        }
    }

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
                    Ok(Epss {
                        score: r.get(0)?,
                        percentile: r.get(1)?,
                        date: epss_date(r.get(2)?),
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

/// The score date recorded in the EPSS feed's info.
fn epss_date(info: Option<String>) -> Option<String> {
    info.and_then(|i| serde_json::from_str::<serde_json::Value>(&i).ok())
        .and_then(|v| v.get("score_date")?.as_str().map(String::from))
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}
