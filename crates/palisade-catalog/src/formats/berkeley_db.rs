//! A reader for Berkeley DB *hash* databases, enough to list every key/value pair.
//!
//! rpm up to 4.15 (RHEL/CentOS 7 and 8, Amazon Linux 2, SLES 12/15) keeps its package headers in
//! `/var/lib/rpm/Packages`, a Berkeley DB hash database. The file is an array of fixed-size
//! pages; page 0 is the metadata page:
//!
//! ```text
//! offset  size  field (hash metadata page)
//!      8     4  pgno
//!     12     4  magic 0x00061561 (its byte order gives the file's byte order)
//!     16     4  version (8, 9 or 10)
//!     20     4  page size
//!     24     1  encrypt_alg (non-zero: encrypted)
//!     25     1  page type (8 = hash metadata)
//!     26     1  metaflags (bit 0: pages carry a checksum)
//!     32     4  last_pgno
//! ```
//!
//! Every other page starts with the generic 26-byte page header (lsn, pgno, prev_pgno,
//! next_pgno, entries: u16 at 20, hf_offset: u16 at 22, level at 24, type at 25); with
//! checksums the header is followed by the checksum and is 32 bytes long. Hash pages (type 13,
//! or 2 for the unsorted pages of old versions) continue with `entries` u16 offsets of items,
//! keys at even and values at odd positions. An item's first byte is its type: 1 = the bytes
//! follow inline (its length runs up to the previous item's offset, or the page end for the
//! first one), 3 = stored on overflow pages (u32 first page at 4, u32 total length at 8), 2 and
//! 4 = duplicate sets, which rpm never writes and are skipped. Overflow pages (type 7) hold
//! `hf_offset` bytes after their header and chain through `next_pgno`.
//!
//! All integers are in the file's byte order. Reading never trusts a page number, offset or
//! length: each is checked against the file, and overflow chains are cut at the number of
//! pages in the file, so cycles end.
//!
//! References: Berkeley DB's `dbinc/db_page.h` and `hash/hash_page.c` (the on-disk layout), the
//! "Berkeley DB Reference Guide" on page sizes and byte order.

const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER: usize = 26;
const PAGE_HEADER_CHKSUM: usize = 32;
const METAFLAG_CHKSUM: u8 = 0x01;

const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;

const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;

/// A file that is not a Berkeley DB hash database we can read, or a damaged one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("berkeley db: {0}")]
pub struct BdbError(pub String);

fn err(msg: impl Into<String>) -> BdbError {
    BdbError(msg.into())
}

/// An opened hash database over the file's bytes.
#[derive(Debug, Clone, Copy)]
pub struct HashDb<'a> {
    file: &'a [u8],
    page_size: usize,
    big_endian: bool,
    /// Size of the page header (26, or 32 with checksums).
    header: usize,
    /// Number of pages that exist both per the metadata and in the file.
    pages: usize,
}

impl<'a> HashDb<'a> {
    /// Reads and checks the metadata page.
    pub fn open(file: &'a [u8]) -> Result<Self, BdbError> {
        let magic = file
            .get(12..16)
            .ok_or_else(|| err("file shorter than a metadata page"))?;
        let magic: [u8; 4] = magic.try_into().map_err(|_| err("short magic"))?;
        let big_endian = if u32::from_le_bytes(magic) == HASH_MAGIC {
            false
        } else if u32::from_be_bytes(magic) == HASH_MAGIC {
            true
        } else {
            return Err(err("not a Berkeley DB hash database (bad magic)"));
        };
        let mut db = Self {
            file,
            page_size: 0,
            big_endian,
            header: PAGE_HEADER,
            pages: 0,
        };
        let version = db.u32_at(file, 16).unwrap_or(0);
        if !(8..=10).contains(&version) {
            return Err(err(format!("unsupported hash version {version}")));
        }
        let page_size = db.u32_at(file, 20).unwrap_or(0) as usize;
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(err(format!("invalid page size {page_size}")));
        }
        if file.get(24).copied().unwrap_or(0) != 0 {
            return Err(err("encrypted databases are not supported"));
        }
        if file.get(25).copied() != Some(P_HASHMETA) {
            return Err(err("page 0 is not a hash metadata page"));
        }
        if file.get(26).copied().unwrap_or(0) & METAFLAG_CHKSUM != 0 {
            db.header = PAGE_HEADER_CHKSUM;
        }
        let last_pgno = db.u32_at(file, 32).unwrap_or(0) as usize;
        db.page_size = page_size;
        db.pages = (file.len() / page_size).min(last_pgno.saturating_add(1));
        Ok(db)
    }

    pub fn page_size(&self) -> usize {
        self.page_size
    }

    pub fn is_big_endian(&self) -> bool {
        self.big_endian
    }

    /// Every key/value pair, page by page. Errors are yielded in place; iteration goes on
    /// after them.
    pub fn entries(&self) -> Entries<'a> {
        Entries {
            db: *self,
            page: 1,
            item: 0,
            // Items may share overflow pages only in a damaged file; this bounds the work such
            // a file can cause to a small multiple of its size.
            budget: self.file.len().saturating_mul(2).saturating_add(1 << 20),
        }
    }

    fn u32_at(&self, bytes: &[u8], at: usize) -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }

    fn u16_at(&self, bytes: &[u8], at: usize) -> Option<u16> {
        let b: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    fn page(&self, pgno: usize) -> Option<&'a [u8]> {
        if pgno >= self.pages {
            return None;
        }
        let start = pgno.checked_mul(self.page_size)?;
        self.file.get(start..start.checked_add(self.page_size)?)
    }

    /// The bytes of item `index` on a hash page.
    fn item(&self, page: &'a [u8], index: usize) -> Result<&'a [u8], BdbError> {
        let offset_of = |i: usize| {
            self.u16_at(page, self.header + 2 * i)
                .map(usize::from)
                .ok_or_else(|| err("item index outside the page"))
        };
        let start = offset_of(index)?;
        let end = if index == 0 {
            self.page_size
        } else {
            offset_of(index - 1)?
        };
        page.get(start..end)
            .filter(|item| !item.is_empty())
            .ok_or_else(|| err(format!("item {index} has invalid bounds {start}..{end}")))
    }

    /// The value an item stands for: inline bytes or an overflow chain.
    fn resolve(&self, item: &[u8], budget: &mut usize) -> Result<Option<Vec<u8>>, BdbError> {
        match item.first().copied() {
            Some(H_KEYDATA) => {
                let bytes = item.get(1..).unwrap_or_default();
                spend(budget, bytes.len())?;
                Ok(Some(bytes.to_vec()))
            }
            Some(H_OFFPAGE) => {
                let pgno = self
                    .u32_at(item, 4)
                    .ok_or_else(|| err("truncated overflow reference"))?;
                let total = self
                    .u32_at(item, 8)
                    .ok_or_else(|| err("truncated overflow reference"))?;
                self.overflow(pgno as usize, total as usize, budget)
                    .map(Some)
            }
            // Duplicate sets and anything unknown: not written by rpm.
            _ => Ok(None),
        }
    }

    fn overflow(
        &self,
        first: usize,
        total: usize,
        budget: &mut usize,
    ) -> Result<Vec<u8>, BdbError> {
        if total > self.file.len() {
            return Err(err(format!(
                "overflow item of {total} bytes is larger than the file"
            )));
        }
        let mut out = Vec::with_capacity(total);
        let mut pgno = first;
        let mut visited = 0usize;
        while out.len() < total {
            visited += 1;
            if visited > self.pages {
                return Err(err("overflow chain loops"));
            }
            let page = self
                .page(pgno)
                .ok_or_else(|| err(format!("overflow page {pgno} outside the file")))?;
            if page.get(25).copied() != Some(P_OVERFLOW) {
                return Err(err(format!("page {pgno} is not an overflow page")));
            }
            let len = usize::from(self.u16_at(page, 22).unwrap_or(0));
            let chunk = page
                .get(self.header..self.header + len)
                .ok_or_else(|| err(format!("overflow page {pgno} claims {len} bytes")))?;
            if chunk.is_empty() {
                return Err(err(format!("overflow page {pgno} is empty")));
            }
            let want = (total - out.len()).min(chunk.len());
            spend(budget, want)?;
            out.extend_from_slice(chunk.get(..want).unwrap_or_default());
            let next = self.u32_at(page, 16).unwrap_or(0) as usize;
            if next == 0 {
                break;
            }
            pgno = next;
        }
        if out.len() != total {
            return Err(err(format!(
                "overflow chain at page {first} holds {} of {total} bytes",
                out.len()
            )));
        }
        Ok(out)
    }
}

fn spend(budget: &mut usize, bytes: usize) -> Result<(), BdbError> {
    *budget = budget
        .checked_sub(bytes)
        .ok_or_else(|| err("items hold more data than the file: damaged overflow chains"))?;
    Ok(())
}

/// Iterator over a hash database's key/value pairs.
#[derive(Debug)]
pub struct Entries<'a> {
    db: HashDb<'a>,
    page: usize,
    item: usize,
    /// Bytes the remaining items may still produce.
    budget: usize,
}

impl Iterator for Entries<'_> {
    type Item = Result<(Vec<u8>, Vec<u8>), BdbError>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.page < self.db.pages {
            let page = self.db.page(self.page)?;
            let is_hash = matches!(page.get(25).copied(), Some(P_HASH | P_HASH_UNSORTED));
            let entries = usize::from(self.db.u16_at(page, 20).unwrap_or(0));
            if !is_hash || self.item + 1 >= entries.max(1) {
                self.page += 1;
                self.item = 0;
                continue;
            }
            let (k, v) = (self.item, self.item + 1);
            self.item += 2;
            let budget = &mut self.budget;
            let db = self.db;
            let pair = db.item(page, k).and_then(|key_item| {
                let value_item = db.item(page, v)?;
                Ok((
                    db.resolve(key_item, budget)?,
                    db.resolve(value_item, budget)?,
                ))
            });
            if self.budget == 0 {
                // Exhausted: stop after reporting.
                self.page = self.db.pages;
            }
            match pair {
                Ok((Some(key), Some(value))) => return Some(Ok((key, value))),
                Ok(_) => continue,
                Err(e) => {
                    // One damaged page: report it and skip the rest of the page.
                    self.item = entries;
                    return Some(Err(BdbError(format!("page {}: {}", self.page, e.0))));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LE: &[u8] = include_bytes!("../../fixtures/rpm-bdb/Packages");
    const BE: &[u8] = include_bytes!("../../fixtures/rpm-bdb/Packages-be");
    const BIG_PAGES: &[u8] = include_bytes!("../../fixtures/rpm-bdb/Packages-64k");
    const CHKSUM: &[u8] = include_bytes!("../../fixtures/rpm-bdb/Packages-chksum");
    const MANY: &[u8] = include_bytes!("../../fixtures/rpm-bdb/many.db");
    const SQLITE_BLOB_LENGTHS: [usize; 5] = [1404, 1860, 1832, 70856, 2696];

    fn records(file: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        HashDb::open(file)
            .unwrap()
            .entries()
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
    }

    #[test]
    fn reads_every_record_in_both_byte_orders_and_page_sizes() {
        for (file, big_endian, page_size) in [
            (LE, false, 4096),
            (BE, true, 4096),
            (BIG_PAGES, false, 65536),
            (CHKSUM, false, 4096),
        ] {
            let db = HashDb::open(file).unwrap();
            assert_eq!(db.is_big_endian(), big_endian);
            assert_eq!(db.page_size(), page_size);
            let mut recs = records(file);
            assert_eq!(recs.len(), 6, "5 headers and rpm's key 0");
            recs.sort();
            let key = |n: u32| {
                if big_endian {
                    n.to_be_bytes().to_vec()
                } else {
                    n.to_le_bytes().to_vec()
                }
            };
            assert_eq!(recs[0].0, key(0));
            assert_eq!(recs[0].1, key(6));
            let mut lengths: Vec<usize> = recs[1..].iter().map(|(_, v)| v.len()).collect();
            lengths.sort();
            let mut want = SQLITE_BLOB_LENGTHS.to_vec();
            want.sort();
            assert_eq!(lengths, want);
        }
    }

    #[test]
    fn reads_every_record_of_a_many_bucket_table() {
        let mut got = records(MANY);
        got.sort();
        let mut want: Vec<(Vec<u8>, Vec<u8>)> = (1..=3000)
            .map(|i| {
                (
                    format!("key-{i}").into_bytes(),
                    format!("value-{i}").into_bytes(),
                )
            })
            .collect();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn rejects_other_files() {
        assert!(HashDb::open(b"").is_err());
        assert!(HashDb::open(&[0u8; 4096]).is_err());
        assert!(HashDb::open(include_bytes!("../../fixtures/rpm-sqlite/rpmdb.sqlite")).is_err());
    }

    #[test]
    fn damaged_files_never_panic() {
        // Truncations at every page boundary and mid-page.
        for cut in (0..LE.len()).step_by(1000) {
            if let Ok(db) = HashDb::open(&LE[..cut]) {
                for _ in db.entries().take(100) {}
            }
        }
        // Flip bytes all over the file, one at a time.
        let mut copy = LE.to_vec();
        for at in (0..copy.len()).step_by(7) {
            let old = copy[at];
            copy[at] = old ^ 0xff;
            if let Ok(db) = HashDb::open(&copy) {
                for _ in db.entries().take(100) {}
            }
            copy[at] = old;
        }
    }

    #[test]
    fn overflow_cycles_end() {
        // Point the first overflow page's next_pgno at itself.
        let mut copy = LE.to_vec();
        let db = HashDb::open(LE).unwrap();
        let ps = db.page_size();
        let pgno = (1..LE.len() / ps)
            .find(|&p| LE[p * ps + 25] == P_OVERFLOW)
            .unwrap();
        copy[pgno * ps + 16..pgno * ps + 20].copy_from_slice(&(pgno as u32).to_le_bytes());
        // And claim it holds everything.
        let db = HashDb::open(&copy).unwrap();
        let results: Vec<_> = db.entries().collect();
        assert!(results.len() <= 6);
    }
}
