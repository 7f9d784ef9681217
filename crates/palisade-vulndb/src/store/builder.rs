//! Writing a new database: beside the current one, under a lock, then renamed over it.

use std::fs::File;
use std::path::{Path, PathBuf};

use palisade_model::KevInfo;
use rusqlite::{Connection, OptionalExtension};

use super::{feeds, FeedStatus, StoreError, DB_FILE, INDEXES, SCHEMA, SCHEMA_VERSION};
use crate::coordinates::store_ecosystem;
use crate::feed::epss::EpssScore;
use crate::feed::nvd::NvdCve;
use crate::matcher::normalize_name;
use crate::osv::Record;

const TEMP_PREFIX: &str = "vuln.db.building-";

/// A database being built. Nothing is visible to readers until [`StoreBuilder::commit`];
/// dropping the builder (or a crash) leaves the previous database untouched.
#[derive(Debug)]
pub struct StoreBuilder {
    dir: PathBuf,
    temp: PathBuf,
    conn: Connection,
    has_previous: bool,
    // Held for the builder's lifetime: one update at a time per directory.
    _lock: File,
}

/// What an ingested feed looked like when it was fetched.
#[derive(Debug, Clone, Default)]
pub struct FeedMeta {
    pub kind: String,
    pub source: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub sha256: Option<String>,
    pub info: Option<serde_json::Value>,
}

impl StoreBuilder {
    /// Starts a new database in `dir` (created if needed). The current `dir/vuln.db`, if it is
    /// readable and of this schema, is attached so unchanged feeds can be copied from it.
    pub fn begin(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)?;
        let lock = File::create(dir.join(".update.lock"))?;
        if lock.try_lock().is_err() {
            return Err(StoreError::Locked(dir.to_path_buf()));
        }
        // Left over by a killed update: never used, safe to remove under the lock.
        for entry in std::fs::read_dir(dir)?.flatten() {
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let temp = dir.join(format!("{TEMP_PREFIX}{}", std::process::id()));
        let conn = Connection::open(&temp)?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 8192;",
        )?;
        conn.execute_batch(SCHEMA)?;
        let current = dir.join(DB_FILE);
        let has_previous = current.is_file() && super::Store::open(&current).is_ok();
        if has_previous {
            conn.execute("ATTACH DATABASE ?1 AS old", [current.to_string_lossy()])?;
        }
        conn.execute_batch("BEGIN")?;
        Ok(Self {
            dir: dir.to_path_buf(),
            temp,
            conn,
            has_previous,
            _lock: lock,
        })
    }

    /// The previous database's record of a feed, if there was one.
    pub fn previous(&self, name: &str) -> Result<Option<FeedStatus>, StoreError> {
        if !self.has_previous {
            return Ok(None);
        }
        Ok(feeds(&self.conn, "old.")?
            .into_iter()
            .find(|f| f.name == name))
    }

    /// Copies every row of feed `name` from the previous database unchanged.
    pub fn copy_feed(&mut self, name: &str) -> Result<(), StoreError> {
        if !self.has_previous {
            return Ok(());
        }
        let offset: i64 = self.conn.query_row(
            "SELECT coalesce(max(id), 0) FROM main.advisories",
            [],
            |r| r.get(0),
        )?;
        self.conn.execute(
            "INSERT INTO main.advisories (id, feed, advisory_id)
             SELECT id + ?2, feed, advisory_id FROM old.advisories WHERE feed = ?1",
            (name, offset),
        )?;
        self.conn.execute(
            "INSERT INTO main.affected
             SELECT f.ecosystem, f.name, f.advisory + ?2, f.seq, f.advisory_id, f.aliases,
                    f.summary, f.severity, f.data
             FROM old.affected f JOIN old.advisories a ON a.id = f.advisory
             WHERE a.feed = ?1",
            (name, offset),
        )?;
        for table in ["nvd", "epss", "kev"] {
            self.conn.execute(
                &format!(
                    "INSERT OR REPLACE INTO main.{table} SELECT * FROM old.{table} WHERE feed = ?1"
                ),
                [name],
            )?;
        }
        self.conn.execute(
            "INSERT OR REPLACE INTO main.feeds SELECT * FROM old.feeds WHERE name = ?1",
            [name],
        )?;
        Ok(())
    }

    /// Adds one OSV-shaped record; withdrawn records and records naming no package are
    /// not stored. Returns whether it was stored.
    pub fn add_record(&mut self, feed: &str, record: &Record) -> Result<bool, StoreError> {
        if record.withdrawn.is_some() || record.affected.iter().all(|a| a.package.is_none()) {
            return Ok(false);
        }
        let aliases = serde_json::to_string(&record.aliases).unwrap_or_else(|_| "[]".into());
        let severity = (!record.severity.is_empty())
            .then(|| serde_json::to_string(&record.severity).ok())
            .flatten();
        let summary = record.summary.clone().or_else(|| {
            record
                .details
                .as_deref()
                .map(|d| d.chars().take(200).collect())
        });
        self.conn
            .prepare_cached("INSERT INTO advisories (feed, advisory_id) VALUES (?1, ?2)")?
            .execute((feed, &record.id))?;
        let advisory = self.conn.last_insert_rowid();
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO affected
             (ecosystem, name, advisory, seq, advisory_id, aliases, summary, severity, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for (seq, affected) in record.affected.iter().enumerate() {
            let Some(package) = &affected.package else {
                continue;
            };
            let ecosystem = store_ecosystem(&package.ecosystem);
            let name = normalize_name(&ecosystem, &package.name);
            let data =
                serde_json::to_string(affected).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            insert.execute((
                ecosystem, name, advisory, seq as i64, &record.id, &aliases, &summary, &severity,
                data,
            ))?;
        }
        Ok(true)
    }

    pub fn add_nvd(&mut self, feed: &str, cve: &NvdCve) -> Result<(), StoreError> {
        let data = serde_json::to_string(cve).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO nvd (cve, feed, data) VALUES (?1, ?2, ?3)")?
            .execute((&cve.id, feed, data))?;
        Ok(())
    }

    pub fn add_epss(&mut self, feed: &str, score: &EpssScore) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO epss (cve, feed, score, percentile) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute((&score.cve, feed, score.score, score.percentile))?;
        Ok(())
    }

    pub fn add_kev(&mut self, feed: &str, cve: &str, info: &KevInfo) -> Result<(), StoreError> {
        let data = serde_json::to_string(info).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO kev (cve, feed, data) VALUES (?1, ?2, ?3)")?
            .execute((cve, feed, data))?;
        Ok(())
    }

    /// Records a freshly ingested feed's metadata and counts.
    pub fn finish_feed(
        &mut self,
        name: &str,
        meta: &FeedMeta,
        records: u64,
        skipped: u64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO feeds
             (name, kind, source, etag, last_modified, sha256, updated_at, records, skipped, info)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            (
                name,
                &meta.kind,
                &meta.source,
                &meta.etag,
                &meta.last_modified,
                &meta.sha256,
                now(),
                records as i64,
                skipped as i64,
                meta.info.as_ref().map(|i| i.to_string()),
            ),
        )?;
        Ok(())
    }

    /// Rows this build holds for a feed (NVD, EPSS, KEV or advisories).
    pub fn feed_rows(&self, name: &str) -> Result<u64, StoreError> {
        let mut total = 0i64;
        for table in ["advisories", "nvd", "epss", "kev"] {
            let n: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM main.{table} WHERE feed = ?1"),
                [name],
                |r| r.get(0),
            )?;
            total += n;
        }
        Ok(total as u64)
    }

    /// Throws away rows of a feed ingested in this build (used when ingesting it failed
    /// halfway and the previous copy is kept instead).
    pub fn discard_feed(&mut self, name: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM affected WHERE advisory IN (SELECT id FROM advisories WHERE feed = ?1)",
            [name],
        )?;
        for table in ["advisories", "nvd", "epss", "kev"] {
            self.conn
                .execute(&format!("DELETE FROM {table} WHERE feed = ?1"), [name])?;
        }
        self.conn
            .execute("DELETE FROM feeds WHERE name = ?1", [name])?;
        Ok(())
    }

    /// Builds the indexes, writes the metadata, makes the file durable and renames it over
    /// the current database. Returns the database's path.
    pub fn commit(self) -> Result<PathBuf, StoreError> {
        let conn = &self.conn;
        conn.execute_batch(INDEXES)?;
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1), ('built_at', ?2)",
            (SCHEMA_VERSION.to_string(), now()),
        )?;
        conn.execute_batch("COMMIT")?;
        if self.has_previous {
            conn.execute_batch("DETACH DATABASE old")?;
        }
        conn.execute_batch("ANALYZE; PRAGMA journal_mode = DELETE;")?;
        File::open(&self.temp)?.sync_all()?;
        let target = self.dir.join(DB_FILE);
        std::fs::rename(&self.temp, &target)?;
        // The rename itself must survive a crash.
        File::open(&self.dir)?.sync_all()?;
        super::write_digest(&self.dir)?;
        Ok(target)
    }

    /// Whether the previous database holds rows for a feed (used in tests and status).
    pub fn previous_has(&self, name: &str) -> Result<bool, StoreError> {
        if !self.has_previous {
            return Ok(false);
        }
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM old.feeds WHERE name = ?1",
                [name],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }
}

impl Drop for StoreBuilder {
    fn drop(&mut self) {
        // After a successful commit the file has been renamed away and this does nothing.
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// Now, RFC 3339 in UTC.
pub(crate) fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}
