//! RPM packages from the SQLite rpm database (`var/lib/rpm/rpmdb.sqlite`,
//! `usr/lib/sysimage/rpm/rpmdb.sqlite`).
//!
//! Why it matters: rpm 4.16 and later store the package database in SQLite: RHEL/UBI 9, Rocky and
//! Alma 9, Fedora 33+, Amazon Linux 2023, openSUSE/SLES 15 SP4+ images. It is the only record of
//! which rpm packages (and versions, with epoch) an image holds.
//!
//! Input: a SQLite 3 file with a table `Packages(hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob
//! BLOB NOT NULL)`; every blob is an rpm header (see [`crate::formats::rpm_header`]), e.g.
//!
//! ```text
//! sqlite> SELECT hnum, length(blob) FROM Packages;
//! 1|1404      -- gpg-pubkey-4d10c2e2-6b04ddf0 (skipped)
//! 2|1860      -- palisade-hello 2:1.2.3-4.el9 noarch, MIT, palisade-hello-1.2.3-4.el9.src.rpm
//! ```
//!
//! The file is read from memory by a small read-only SQLite file-format reader below (header,
//! table b-tree pages, overflow chains, record format), not by linking SQLite: the crate forbids
//! `unsafe` and rusqlite can only open bytes in memory through an `unsafe` constructor, while
//! catalogers must not write temporary files. The tests check this reader against the real
//! SQLite (rusqlite) on a database made by the real rpm.
//!
//! References: <https://www.sqlite.org/fileformat2.html> (b-tree pages, payload overflow, record
//! format); rpm's `lib/backend/sqlite.c` (the `Packages` table).

use crate::formats::rpm_header::package_from_header;
use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct RpmSqlite;

const PATHS: [&str; 2] = [
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
];

impl Cataloger for RpmSqlite {
    fn id(&self) -> &'static str {
        "rpm-sqlite"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        PATHS.contains(&file.path)
    }

    fn max_size(&self) -> u64 {
        // Large RHEL images have rpm databases of a few hundred MiB.
        1024 * 1024 * 1024
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        let fail = |msg: String| CatalogError::new(self.id(), path, msg);
        let db = sqlite::Db::open(content).map_err(fail)?;
        let root = db
            .table_root("Packages")
            .map_err(fail)?
            .ok_or_else(|| fail("no Packages table".into()))?;
        let mut packages = Vec::new();
        db.walk_table(root, &mut |rowid, payload| {
            let columns = sqlite::record(payload)?;
            let blob = columns
                .iter()
                .find_map(|c| match c {
                    sqlite::Value::Blob(b) => Some(*b),
                    _ => None,
                })
                .ok_or_else(|| format!("Packages row {rowid} has no blob"))?;
            match package_from_header(blob, path) {
                Ok(Some(pkg)) => packages.push(pkg),
                Ok(None) => {}
                Err(e) => return Err(format!("Packages row {rowid}: {e}")),
            }
            Ok(())
        })
        .map_err(fail)?;
        Ok(Found::packages(packages))
    }
}

/// A minimal, read-only, panic-free reader of the SQLite 3 file format: enough to list the rows
/// of one rowid table.
mod sqlite {
    const MAGIC: &[u8; 16] = b"SQLite format 3\0";
    /// Called with each row's rowid and record payload.
    pub type RowFn<'f> = dyn FnMut(i64, &[u8]) -> Result<(), String> + 'f;

    const LEAF_TABLE: u8 = 0x0d;
    const INTERIOR_TABLE: u8 = 0x05;

    pub struct Db<'a> {
        file: &'a [u8],
        page_size: usize,
        usable: usize,
        pages: usize,
    }

    /// One column of a record.
    #[derive(Debug, PartialEq)]
    pub enum Value<'a> {
        Null,
        Int(i64),
        Float,
        Text(&'a [u8]),
        Blob(&'a [u8]),
    }

    fn be(bytes: &[u8], at: usize, n: usize) -> Option<u64> {
        let b = bytes.get(at..at.checked_add(n)?)?;
        Some(b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
    }

    /// A SQLite varint at `at`: its value and length.
    fn varint(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
        let mut v = 0u64;
        for i in 0..9 {
            let b = *bytes.get(at + i)?;
            if i == 8 {
                return Some(((v << 8) | u64::from(b), 9));
            }
            v = (v << 7) | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                return Some((v, i + 1));
            }
        }
        None
    }

    impl<'a> Db<'a> {
        pub fn open(file: &'a [u8]) -> Result<Self, String> {
            if file.get(..16) != Some(MAGIC.as_slice()) {
                return Err("not a SQLite 3 database (bad magic)".into());
            }
            let page_size = match be(file, 16, 2) {
                Some(1) => 65536,
                Some(n) => n as usize,
                None => 0,
            };
            if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
                return Err(format!("invalid page size {page_size}"));
            }
            let reserved = usize::from(file.get(20).copied().unwrap_or(0));
            let usable = page_size - reserved;
            if usable < 480 {
                return Err(format!("invalid usable page size {usable}"));
            }
            Ok(Self {
                file,
                page_size,
                usable,
                pages: file.len() / page_size,
            })
        }

        /// Page `n` (1-based), whole.
        fn page(&self, n: u64) -> Result<&'a [u8], String> {
            let idx = usize::try_from(n)
                .ok()
                .filter(|&i| i >= 1 && i <= self.pages)
                .ok_or_else(|| format!("page {n} outside the file"))?;
            let start = (idx - 1) * self.page_size;
            self.file
                .get(start..start + self.page_size)
                .ok_or_else(|| format!("page {n} outside the file"))
        }

        /// The root page of table `name`, from the schema table on page 1.
        pub fn table_root(&self, name: &str) -> Result<Option<u64>, String> {
            let mut root = None;
            self.walk_table(1, &mut |_, payload| {
                let cols = record(payload)?;
                if let [Value::Text(ty), Value::Text(n), _, Value::Int(page), ..] = cols.as_slice()
                {
                    if *ty == b"table" && n.eq_ignore_ascii_case(name.as_bytes()) && *page > 0 {
                        root = Some(*page as u64);
                    }
                }
                Ok(())
            })?;
            Ok(root)
        }

        /// Calls `row(rowid, payload)` for every row of the rowid table rooted at `root`, in
        /// rowid order.
        pub fn walk_table(&self, root: u64, row: &mut RowFn<'_>) -> Result<(), String> {
            let mut stack = vec![root];
            let mut visited = 0usize;
            // Cells may share overflow pages only in a damaged file; this bounds the work
            // such a file can cause to a small multiple of its size.
            let mut budget = self.file.len().saturating_mul(2).saturating_add(1 << 20);
            while let Some(pgno) = stack.pop() {
                visited += 1;
                if visited > self.pages {
                    return Err("b-tree pages form a loop".into());
                }
                let page = self.page(pgno)?;
                let hdr = if pgno == 1 { 100 } else { 0 };
                let kind = page.get(hdr).copied().unwrap_or(0);
                let cells = be(page, hdr + 3, 2).unwrap_or(0) as usize;
                let header_len = match kind {
                    LEAF_TABLE => 8,
                    INTERIOR_TABLE => 12,
                    other => return Err(format!("page {pgno}: unexpected page type {other:#x}")),
                };
                let cell_at = |i: usize| -> Result<usize, String> {
                    be(page, hdr + header_len + 2 * i, 2)
                        .map(|o| o as usize)
                        .filter(|&o| o < self.usable)
                        .ok_or_else(|| format!("page {pgno}: bad cell pointer {i}"))
                };
                if kind == INTERIOR_TABLE {
                    // Children left to right: push in reverse.
                    let right = be(page, hdr + 8, 4).ok_or("truncated page header")?;
                    stack.push(right);
                    for i in (0..cells).rev() {
                        let off = cell_at(i)?;
                        let child = be(page, off, 4)
                            .ok_or_else(|| format!("page {pgno}: truncated cell {i}"))?;
                        stack.push(child);
                    }
                    continue;
                }
                for i in 0..cells {
                    let off = cell_at(i)?;
                    let bad = || format!("page {pgno}: truncated cell {i}");
                    let (size, n1) = varint(page, off).ok_or_else(bad)?;
                    let (rowid, n2) = varint(page, off + n1).ok_or_else(bad)?;
                    let payload = self.payload(page, off + n1 + n2, size)?;
                    budget = budget
                        .checked_sub(payload.len())
                        .ok_or("rows hold more data than the file: damaged overflow chains")?;
                    row(rowid as i64, &payload)?;
                }
            }
            Ok(())
        }

        /// A table leaf cell's payload of `size` bytes starting at `at`, with its overflow pages.
        fn payload(&self, page: &[u8], at: usize, size: u64) -> Result<Vec<u8>, String> {
            if size > self.file.len() as u64 {
                return Err(format!("payload of {size} bytes is larger than the file"));
            }
            let size = size as usize;
            let u = self.usable;
            let x = u - 35;
            let local = if size <= x {
                size
            } else {
                let m = ((u - 12) * 32 / 255) - 23;
                let k = m + ((size - m) % (u - 4));
                if k <= x {
                    k
                } else {
                    m
                }
            };
            let mut out = Vec::with_capacity(size);
            out.extend_from_slice(page.get(at..at + local).ok_or("payload outside its page")?);
            if local == size {
                return Ok(out);
            }
            let mut next = be(page, at + local, 4).ok_or("missing overflow pointer")?;
            let mut hops = 0usize;
            while out.len() < size {
                hops += 1;
                if hops > self.pages {
                    return Err("overflow chain loops".into());
                }
                let ov = self.page(next)?;
                let chunk = ov.get(4..u).ok_or("short overflow page")?;
                let want = (size - out.len()).min(chunk.len());
                out.extend_from_slice(chunk.get(..want).unwrap_or_default());
                next = be(ov, 0, 4).unwrap_or(0);
                if next == 0 {
                    break;
                }
            }
            if out.len() != size {
                return Err(format!(
                    "overflow chain holds {} of {size} bytes",
                    out.len()
                ));
            }
            Ok(out)
        }
    }

    /// Splits a record (SQLite's row format) into its columns.
    pub fn record(payload: &[u8]) -> Result<Vec<Value<'_>>, String> {
        let bad = || "malformed record".to_string();
        let (header_len, n) = varint(payload, 0).ok_or_else(bad)?;
        let header_len = usize::try_from(header_len)
            .ok()
            .filter(|&h| h <= payload.len())
            .ok_or_else(bad)?;
        let mut pos = n;
        let mut body = header_len;
        let mut out = Vec::new();
        while pos < header_len {
            let (ty, n) = varint(payload, pos).ok_or_else(bad)?;
            pos += n;
            let len = match ty {
                0 | 8 | 9 | 10 | 11 => 0,
                1..=4 => ty as usize,
                5 => 6,
                6 | 7 => 8,
                t => usize::try_from((t - 12) / 2).map_err(|_| bad())?,
            };
            let bytes = payload
                .get(body..body.checked_add(len).ok_or_else(bad)?)
                .ok_or_else(bad)?;
            body += len;
            out.push(match ty {
                0 | 10 | 11 => Value::Null,
                1..=6 => {
                    // Big-endian two's complement of `len` bytes.
                    let raw = be(bytes, 0, len).ok_or_else(bad)?;
                    let shift = 64 - 8 * len as u32;
                    Value::Int(((raw << shift) as i64) >> shift)
                }
                7 => Value::Float,
                8 => Value::Int(0),
                9 => Value::Int(1),
                t if t % 2 == 0 => Value::Blob(bytes),
                _ => Value::Text(bytes),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const DB: &[u8] = include_bytes!("../../fixtures/rpm-sqlite/rpmdb.sqlite");
    const EXPECTED: &str = include_str!("../../fixtures/rpm-sqlite/expected.txt");
    const PATH: &str = "var/lib/rpm/rpmdb.sqlite";

    /// What the real `rpm -qa --qf` printed, gpg-pubkey pseudo packages left out, as
    /// (name, version, arch, license, source rpm) lines.
    pub(crate) fn expected_lines() -> Vec<String> {
        EXPECTED
            .lines()
            .filter(|l| !l.starts_with("gpg-pubkey\t"))
            .map(str::to_string)
            .collect()
    }

    pub(crate) fn as_lines(found: &Found) -> Vec<String> {
        let mut lines: Vec<String> = found
            .packages
            .iter()
            .map(|p| {
                let srpm = format!(
                    "{}-{}.src.rpm",
                    p.source_name.as_deref().unwrap_or("?"),
                    // The source rpm's file name carries no epoch.
                    p.source_version
                        .as_deref()
                        .map(|v| v.split_once(':').map_or(v, |(_, r)| r))
                        .unwrap_or("?")
                );
                format!(
                    "{}\t{}\t{}\t{}\t{}",
                    p.name,
                    p.version,
                    p.arch.as_deref().unwrap_or("(none)"),
                    p.licenses.join(" "),
                    srpm
                )
            })
            .collect();
        lines.sort();
        lines
    }

    #[test]
    fn matches_what_rpm_reports() {
        let found = RpmSqlite.catalog(PATH, DB).unwrap();
        assert_eq!(as_lines(&found), expected_lines());
        for p in &found.packages {
            assert_eq!(p.kind, palisade_model::PackageKind::Os);
            assert_eq!(p.locations[0].path, PATH);
            assert!(p.purl.is_empty());
        }
        let hello = found
            .packages
            .iter()
            .find(|p| p.name == "palisade-hello")
            .unwrap();
        assert_eq!(hello.version, "2:1.2.3-4.el9");
        assert_eq!(hello.source_name.as_deref(), Some("palisade-hello"));
        let libs = found
            .packages
            .iter()
            .find(|p| p.name == "palisade-big-libs")
            .unwrap();
        assert_eq!(libs.source_name.as_deref(), Some("palisade-big"));
    }

    #[test]
    fn reader_agrees_with_real_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rpmdb.sqlite");
        std::fs::write(&file, DB).unwrap();
        let conn = rusqlite::Connection::open_with_flags(
            &file,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let mut stmt = conn
            .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
            .unwrap();
        let want: Vec<(i64, Vec<u8>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(want.len(), 5);

        let db = sqlite::Db::open(DB).unwrap();
        let root = db.table_root("Packages").unwrap().unwrap();
        let mut got = Vec::new();
        db.walk_table(root, &mut |rowid, payload| {
            let cols = sqlite::record(payload)?;
            let sqlite::Value::Blob(b) = cols[1] else {
                return Err("no blob".into());
            };
            got.push((rowid, b.to_vec()));
            Ok(())
        })
        .unwrap();
        assert_eq!(got, want);
    }

    /// A table deep enough for interior pages, with rows small, page-sized and overflowing,
    /// written by the real SQLite at several page sizes, reads back row for row.
    #[test]
    fn reader_handles_interior_pages_and_overflow_at_every_page_size() {
        for page_size in [512, 4096, 65536] {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("t.sqlite");
            let conn = rusqlite::Connection::open(&file).unwrap();
            conn.execute_batch(&format!(
                "PRAGMA page_size={page_size}; CREATE TABLE other(x); \
                 CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);"
            ))
            .unwrap();
            let mut want = Vec::new();
            for i in 0..600i64 {
                let len = (i * 7919 % 9000) as usize;
                let blob: Vec<u8> = (0..len).map(|j| (j as i64 * 31 + i) as u8).collect();
                conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [&blob])
                    .unwrap();
                want.push((i + 1, blob));
            }
            conn.execute("DELETE FROM Packages WHERE hnum % 5 = 0", [])
                .unwrap();
            want.retain(|(h, _)| h % 5 != 0);
            drop(conn);
            let bytes = std::fs::read(&file).unwrap();
            let db = sqlite::Db::open(&bytes).unwrap();
            let root = db.table_root("Packages").unwrap().unwrap();
            let mut got = Vec::new();
            db.walk_table(root, &mut |rowid, payload| {
                let cols = sqlite::record(payload)?;
                let Some(sqlite::Value::Blob(b)) = cols.get(1) else {
                    return Err("no blob".into());
                };
                got.push((rowid, b.to_vec()));
                Ok(())
            })
            .unwrap();
            assert_eq!(got.len(), want.len(), "page size {page_size}");
            assert!(got == want, "page size {page_size}");
        }
    }

    #[test]
    fn wants_both_locations() {
        for path in PATHS {
            assert!(RpmSqlite.wants(&FileMeta {
                path,
                size: 1,
                mode: 0o644
            }));
        }
        assert!(!RpmSqlite.wants(&FileMeta {
            path: "var/lib/rpm/Packages",
            size: 1,
            mode: 0o644
        }));
    }

    #[test]
    fn corrupt_databases_are_errors_not_panics() {
        assert!(RpmSqlite.catalog(PATH, b"").is_err());
        assert!(RpmSqlite
            .catalog(PATH, b"SQLite format 3\0garbage")
            .is_err());
        for cut in (0..DB.len()).step_by(4093) {
            let _ = RpmSqlite.catalog(PATH, &DB[..cut]);
        }
        let mut copy = DB.to_vec();
        for at in (0..copy.len()).step_by(61) {
            let old = copy[at];
            copy[at] = old ^ 0x5a;
            let _ = RpmSqlite.catalog(PATH, &copy);
            copy[at] = old;
        }
    }
}
