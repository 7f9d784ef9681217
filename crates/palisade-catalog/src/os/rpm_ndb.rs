//! RPM packages from rpm's "ndb" package database (`usr/lib/sysimage/rpm/Packages.db`,
//! `var/lib/rpm/Packages.db`).
//!
//! Why it matters: SUSE builds rpm with its own "ndb" back-end, and SLES 15, SLE BCI and
//! openSUSE Leap/Tumbleweed images record their installed packages only there. Without it these
//! images show no OS packages and no vulnerabilities.
//!
//! Input: one file of 16-byte blocks, all numbers little-endian (rpm's `lib/backend/ndb/
//! rpmpkg.c`):
//!
//! ```text
//! page 0..slotnpages (4096 bytes each): the package index
//!   bytes 0..32   header: "RpmP" magic, version 0, generation, slotnpages, nextpkgidx
//!   then 16-byte slots: "Slot" magic, pkgidx, blkoff, blkcnt   (blkoff 0 = free slot)
//! after the slot pages: blobs, each at block `blkoff`, `blkcnt` blocks long
//!   head  16 bytes: "BlbS" magic, pkgidx, generation, bloblen
//!   bloblen bytes:  the rpm header (read by [`crate::formats::rpm_header`])
//!   zero padding to the block size
//!   tail  12 bytes: adler32 of head+blob+padding, bloblen, "BlbE" magic
//! ```
//!
//! For example (`xxd Packages.db`):
//!
//! ```text
//! 00000000: 5270 6d50 0000 0000 0600 0000 0100 0000  RpmP............   version 0, 1 slot page
//! 00000010: 0600 0000 0000 0000 0000 0000 0000 0000  ................   next pkgidx 6
//! 00000020: 536c 6f74 0100 0000 0001 0000 5a00 0000  Slot........Z...   pkgidx 1: block 256, 90 blocks
//! 00001000: 426c 6253 0100 0000 0100 0000 7c05 0000  BlbS........|...   its blob: 1404 bytes
//! ```
//!
//! Every slot is checked as rpm checks it when it reads the index (magic, blob inside the file
//! and after the slot pages); blobs may not overlap (rpm treats that as corruption) so the
//! checksums cost at most one pass over the file; each blob's head and tail are checked
//! (magic, package index, length, block count, adler32) before its header is parsed. Packages
//! are listed in blob order, as `rpm -qa` lists them. Nothing is copied: blobs are borrowed from
//! the file.
//!
//! The other file of an ndb database, `Index.db` (name, file and dependency indexes), is not
//! needed to list packages and is not read.
//!
//! References: rpm's `lib/backend/ndb/rpmpkg.c` (`rpmpkgReadHeader`, `rpmpkgReadSlots`,
//! `rpmpkgReadBlob`) and `glue.cc` (the blob is the header as rpm exports it).

use crate::formats::rpm_header::package_from_header;
use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct RpmNdb;

const PATHS: [&str; 2] = [
    "usr/lib/sysimage/rpm/Packages.db",
    "var/lib/rpm/Packages.db",
];

impl Cataloger for RpmNdb {
    fn id(&self) -> &'static str {
        "rpm-ndb"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        PATHS.contains(&file.path)
    }

    fn max_size(&self) -> u64 {
        // As for the other rpm databases: large images have databases of a few hundred MiB.
        1024 * 1024 * 1024
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        let fail = |msg: String| CatalogError::new(self.id(), path, msg);
        let slots = ndb::slots(content).map_err(fail)?;
        let mut packages = Vec::new();
        for slot in &slots {
            let blob = ndb::blob(content, slot).map_err(fail)?;
            match package_from_header(blob, path) {
                Ok(Some(pkg)) => packages.push(pkg),
                Ok(None) => {}
                Err(e) => return Err(fail(format!("package {}: {e}", slot.pkgidx))),
            }
        }
        Ok(Found::packages(packages))
    }
}

/// A panic-free reader of rpm's ndb package file (`Packages.db`).
pub(crate) mod ndb {
    const PAGE_SIZE: usize = 4096;
    const SLOT_SIZE: usize = 16;
    const BLK_SIZE: usize = 16;
    const HEADER_SIZE: usize = 32;
    const BLOBHEAD_SIZE: usize = 16;
    const BLOBTAIL_SIZE: usize = 12;
    const BLKS_PER_PAGE: u64 = (PAGE_SIZE / BLK_SIZE) as u64;

    const PKGDB_MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
    const PKGDB_VERSION: u32 = 0;
    const SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
    const BLOBHEAD_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
    const BLOBTAIL_MAGIC: u32 = u32::from_le_bytes(*b"BlbE");
    /// rpm's `PKGDB_MAX_BLOBSIZE`.
    const MAX_BLOBSIZE: u64 = 0xffff_ffff - (BLOBHEAD_SIZE + BLOBTAIL_SIZE + BLK_SIZE - 1) as u64;

    /// One used slot of the package index: package `pkgidx` is stored in blocks
    /// `blkoff..blkoff + blkcnt`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Slot {
        pub pkgidx: u32,
        pub blkoff: u32,
        pub blkcnt: u32,
    }

    fn le(bytes: &[u8], at: usize) -> Option<u32> {
        let b = bytes.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes(b.try_into().ok()?))
    }

    /// The used slots, in blob order (the order `rpm -qa` lists packages in).
    pub fn slots(file: &[u8]) -> Result<Vec<Slot>, String> {
        let header = file
            .get(..HEADER_SIZE)
            .ok_or("not an rpm ndb database: shorter than its 32-byte header")?;
        if le(header, 0) != Some(PKGDB_MAGIC) {
            return Err("not an rpm ndb database (bad magic)".into());
        }
        let version = le(header, 4).unwrap_or(u32::MAX);
        if version != PKGDB_VERSION {
            return Err(format!("unsupported ndb version {version}"));
        }
        let slotnpages = le(header, 12).unwrap_or(0) as usize;
        if slotnpages == 0 {
            return Err("no slot pages".into());
        }
        if !file.len().is_multiple_of(BLK_SIZE) {
            return Err(format!(
                "file size {} is not a multiple of the {BLK_SIZE}-byte block",
                file.len()
            ));
        }
        let slot_area = slotnpages
            .checked_mul(PAGE_SIZE)
            .filter(|&n| n <= file.len())
            .ok_or_else(|| {
                format!(
                    "{slotnpages} slot pages need {} bytes, file has {}",
                    slotnpages.saturating_mul(PAGE_SIZE),
                    file.len()
                )
            })?;
        let fileblks = (file.len() / BLK_SIZE) as u64;
        let minblkoff = slotnpages as u64 * BLKS_PER_PAGE;
        let mut used = Vec::new();
        // Blobs may not overlap, so together they fit in the blob area; checking that while
        // reading keeps the slot list proportional to the blobs actually present.
        let mut claimed = 0u64;
        for (i, raw) in file
            .get(HEADER_SIZE..slot_area)
            .unwrap_or_default()
            .chunks_exact(SLOT_SIZE)
            .enumerate()
        {
            let slotno = i + HEADER_SIZE / SLOT_SIZE;
            if le(raw, 0) != Some(SLOT_MAGIC) {
                return Err(format!("slot {slotno}: bad magic"));
            }
            let blkoff = le(raw, 8).unwrap_or(0);
            if blkoff == 0 {
                continue; // free slot
            }
            let pkgidx = le(raw, 4).unwrap_or(0);
            let blkcnt = le(raw, 12).unwrap_or(0);
            let end = u64::from(blkoff) + u64::from(blkcnt);
            if pkgidx == 0 || blkcnt == 0 || u64::from(blkoff) < minblkoff {
                return Err(format!(
                    "slot {slotno}: bad entry (package {pkgidx}, block {blkoff}, {blkcnt} blocks)"
                ));
            }
            if end > fileblks {
                return Err(format!(
                    "slot {slotno}: package {pkgidx} ends at block {end}, past the end of the \
                     file ({fileblks} blocks): truncated database"
                ));
            }
            claimed += u64::from(blkcnt);
            if claimed > fileblks - minblkoff {
                return Err(format!(
                    "slot {slotno}: the slots claim more blocks than the file holds: \
                     overlapping packages"
                ));
            }
            used.push(Slot {
                pkgidx,
                blkoff,
                blkcnt,
            });
        }
        used.sort_by_key(|s| s.blkoff);
        for pair in used.windows(2) {
            if let [a, b] = pair {
                if u64::from(a.blkoff) + u64::from(a.blkcnt) > u64::from(b.blkoff) {
                    return Err(format!(
                        "packages {} and {} overlap at block {}",
                        a.pkgidx, b.pkgidx, b.blkoff
                    ));
                }
            }
        }
        let mut ids: Vec<u32> = used.iter().map(|s| s.pkgidx).collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|p| p.first() == p.get(1)) {
            return Err(format!(
                "package {} has two slots",
                pair.first().copied().unwrap_or(0)
            ));
        }
        Ok(used)
    }

    /// The rpm header stored for `slot`, after checking the blob's head, tail and checksum.
    pub fn blob<'a>(file: &'a [u8], slot: &Slot) -> Result<&'a [u8], String> {
        let pkgidx = slot.pkgidx;
        let bad = |what: &str| format!("package {pkgidx}: bad blob ({what})");
        let start = slot.blkoff as usize * BLK_SIZE;
        let len = slot.blkcnt as usize * BLK_SIZE;
        if len < BLOBHEAD_SIZE + BLOBTAIL_SIZE {
            return Err(bad("too few blocks"));
        }
        let area = file
            .get(start..start.saturating_add(len))
            .ok_or_else(|| bad("outside the file"))?;
        if le(area, 0) != Some(BLOBHEAD_MAGIC) {
            return Err(bad("head magic"));
        }
        if le(area, 4) != Some(pkgidx) {
            return Err(bad("head names another package"));
        }
        let bloblen = le(area, 12).unwrap_or(u32::MAX);
        if u64::from(bloblen) > MAX_BLOBSIZE {
            return Err(bad("length"));
        }
        let want_blocks = (BLOBHEAD_SIZE as u64 + u64::from(bloblen) + BLOBTAIL_SIZE as u64)
            .div_ceil(BLK_SIZE as u64);
        if want_blocks != u64::from(slot.blkcnt) {
            return Err(bad(&format!(
                "{bloblen} bytes need {want_blocks} blocks, slot has {}",
                slot.blkcnt
            )));
        }
        let tail_at = len - BLOBTAIL_SIZE;
        if le(area, tail_at + 8) != Some(BLOBTAIL_MAGIC) {
            return Err(bad("tail magic"));
        }
        if le(area, tail_at + 4) != Some(bloblen) {
            return Err(bad("tail length differs from head length"));
        }
        let want_sum = le(area, tail_at).unwrap_or(0);
        let sum = adler32(area.get(..tail_at).unwrap_or_default());
        if sum != want_sum {
            return Err(bad(&format!("adler32 {sum:08x}, tail says {want_sum:08x}")));
        }
        area.get(BLOBHEAD_SIZE..BLOBHEAD_SIZE + bloblen as usize)
            .ok_or_else(|| bad("length"))
    }

    /// Adler-32 (RFC 1950) of `bytes`, starting from 1 as rpm's `update_adler32` does.
    pub fn adler32(bytes: &[u8]) -> u32 {
        const MOD: u32 = 65521;
        // 5552 is the most bytes whose sums cannot overflow u32 before reducing.
        let (mut a, mut b) = (1u32, 0u32);
        for chunk in bytes.chunks(5552) {
            for &x in chunk {
                a += u32::from(x);
                b += a;
            }
            a %= MOD;
            b %= MOD;
        }
        (b << 16) | a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os::rpm_sqlite::tests::{as_lines, expected_lines};
    use crate::os::rpm_sqlite::RpmSqlite;
    use palisade_model::Package;

    const PLAIN: &[u8] = include_bytes!("../../fixtures/rpm-ndb/Packages.db");
    const CHURN: &[u8] = include_bytes!("../../fixtures/rpm-ndb/Packages-churn.db");
    const MANY: &[u8] = include_bytes!("../../fixtures/rpm-ndb/Packages-many.db");
    const SQLITE: &[u8] = include_bytes!("../../fixtures/rpm-sqlite/rpmdb.sqlite");
    const PATH: &str = "usr/lib/sysimage/rpm/Packages.db";

    fn without_locations(mut v: Vec<Package>) -> Vec<Package> {
        for p in &mut v {
            p.locations.clear();
        }
        v
    }

    /// The packages rpm-sqlite finds in the database the ndb fixtures were made from, in
    /// `hnum` order (the order rpm installed them).
    fn from_sqlite() -> Vec<Package> {
        let found = RpmSqlite
            .catalog("var/lib/rpm/rpmdb.sqlite", SQLITE)
            .unwrap();
        without_locations(found.packages)
    }

    #[test]
    fn matches_what_rpm_reports() {
        let found = RpmNdb.catalog(PATH, PLAIN).unwrap();
        // name, epoch:version-release, arch, license and source rpm as `rpm -qa --qf` printed
        // them when the real rpm made these headers.
        assert_eq!(as_lines(&found), expected_lines());
        assert!(found
            .packages
            .iter()
            .all(|p| p.locations[0].path == PATH && p.kind == palisade_model::PackageKind::Os));
        // Same packages, in the same (install) order, as from the SQLite database.
        assert_eq!(without_locations(found.packages.clone()), from_sqlite());
        let get = |name: &str| found.packages.iter().find(|p| p.name == name).unwrap();
        assert_eq!(get("palisade-hello").version, "2:1.2.3-4.el9");
        assert_eq!(get("palisade-hello").arch.as_deref(), Some("noarch"));
        assert_eq!(get("palisade-zero").version, "0:3.0-7");
        assert_eq!(get("palisade-zero").arch.as_deref(), Some("x86_64"));
        assert_eq!(
            get("palisade-big-libs").source_name.as_deref(),
            Some("palisade-big")
        );
    }

    #[test]
    fn erased_packages_and_reused_holes() {
        let found = RpmNdb.catalog(PATH, CHURN).unwrap();
        // Package 2 was erased; package 3 was erased and re-installed as package 6 in its
        // old place, so the order is unchanged.
        let mut want = from_sqlite();
        // hnum 2 of the SQLite database.
        let erased = want.remove(1);
        assert_eq!(erased.name, "palisade-hello");
        assert!(!found.packages.iter().any(|p| p.name == erased.name));
        assert_eq!(without_locations(found.packages), want);
        let slots = ndb::slots(CHURN).unwrap();
        let ids: Vec<u32> = slots.iter().map(|s| s.pkgidx).collect();
        assert_eq!(ids, vec![1, 6, 4, 5]);
    }

    /// What make.py generated as package `i` of Packages-many.db.
    fn many(i: u32) -> (String, String, String) {
        let epoch = if i.is_multiple_of(3) {
            String::new()
        } else {
            format!("{}:", i % 3)
        };
        (
            format!("palisade-many-{i:03}"),
            format!("{epoch}1.{i}-{i}.suse"),
            if i.is_multiple_of(2) {
                "noarch"
            } else {
                "x86_64"
            }
            .to_string(),
        )
    }

    #[test]
    fn two_slot_pages_and_moved_blobs() {
        let found = RpmNdb.catalog(PATH, MANY).unwrap();
        assert_eq!(found.packages.len(), 300);
        let mut got: Vec<(String, String, String)> = found
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.version.clone(),
                    p.arch.clone().unwrap_or_default(),
                )
            })
            .collect();
        got.sort();
        let want: Vec<_> = (0..300).map(many).collect();
        assert_eq!(got, want);
        for p in &found.packages {
            assert_eq!(p.source_name.as_deref(), Some("palisade-many"));
        }
        // Page 0 had room for 254 slots; rpm moved the blobs below the new page's end.
        let slots = ndb::slots(MANY).unwrap();
        assert!(slots.iter().all(|s| s.blkoff >= 2 * 256));
        assert!(slots.iter().any(|s| s.pkgidx > 254));
        // Listed in blob order, which is not package index order after the moves.
        assert!(slots.windows(2).all(|w| w[0].blkoff < w[1].blkoff));
        assert!(slots.windows(2).any(|w| w[0].pkgidx > w[1].pkgidx));
    }

    #[test]
    fn adler32_is_rfc1950() {
        assert_eq!(ndb::adler32(b""), 1);
        assert_eq!(ndb::adler32(b"Wikipedia"), 0x11e6_0398);
        // Long input: the modulo must be applied at the right points.
        let long = vec![0xffu8; 100_000];
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &long {
            a = (a + u64::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        assert_eq!(ndb::adler32(&long), ((b << 16) | a) as u32);
    }

    fn put_u32(buf: &mut [u8], at: usize, v: u32) {
        buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    fn error(file: &[u8]) -> String {
        RpmNdb.catalog(PATH, file).unwrap_err().to_string()
    }

    #[test]
    fn damaged_databases_are_clear_errors() {
        assert!(error(b"").contains("shorter than its 32-byte header"));
        assert!(error(SQLITE).contains("bad magic"));
        let mut f = PLAIN.to_vec();
        put_u32(&mut f, 4, 1);
        assert!(error(&f).contains("unsupported ndb version 1"));
        let mut f = PLAIN.to_vec();
        put_u32(&mut f, 12, 0x00ff_ffff);
        assert!(error(&f).contains("slot pages need"));
        // Truncated at a block boundary: the last blob's slot points past the end.
        assert!(error(&PLAIN[..PLAIN.len() - 16 * 20]).contains("truncated database"));
        assert!(error(&PLAIN[..PLAIN.len() - 3]).contains("not a multiple"));
        // A slot without its magic.
        let mut f = PLAIN.to_vec();
        f[0x40] = b'X';
        assert!(error(&f).contains("slot 4: bad magic"));
        // A slot pointing into the slot page.
        let mut f = PLAIN.to_vec();
        put_u32(&mut f, 0x28, 3);
        assert!(error(&f).contains("slot 2: bad entry"));
        // One byte of a header changed: the checksum catches it.
        let mut f = PLAIN.to_vec();
        f[4096 + 100] ^= 1;
        assert!(error(&f).contains("package 1: bad blob (adler32"));
        // A blob whose head names another package.
        let mut f = PLAIN.to_vec();
        put_u32(&mut f, 4096 + 4, 9);
        assert!(error(&f).contains("head names another package"));
        // Two slots for one blob area: overlap.
        let mut f = PLAIN.to_vec();
        put_u32(&mut f, 0x38, 0x100);
        assert!(error(&f).contains("overlap"));
        // Many slots claiming the whole blob area.
        let mut f = PLAIN.to_vec();
        for slot in 2..200 {
            put_u32(&mut f, slot * 16 + 4, slot as u32);
            put_u32(&mut f, slot * 16 + 8, 0x100);
            put_u32(&mut f, slot * 16 + 12, 0x1000);
        }
        assert!(error(&f).contains("claim more blocks than the file holds"));
        // Two slots for one package.
        let mut f = PLAIN.to_vec();
        put_u32(&mut f, 0x34, 1);
        assert!(error(&f).contains("package 1 has two slots"));
        // The block count disagrees with the blob length.
        let mut f = PLAIN.to_vec();
        put_u32(&mut f, 0x2c, 0x59);
        let e = error(&f);
        assert!(e.contains("need 90 blocks, slot has 89"), "{e}");
    }

    #[test]
    fn corrupt_databases_are_errors_not_panics() {
        for file in [PLAIN, CHURN, MANY] {
            for cut in (0..file.len()).step_by(997) {
                let _ = RpmNdb.catalog(PATH, &file[..cut]);
            }
            let mut copy = file.to_vec();
            for at in (0..copy.len()).step_by(37) {
                let old = copy[at];
                copy[at] = old ^ 0x5a;
                let _ = RpmNdb.catalog(PATH, &copy);
                copy[at] = old;
            }
        }
    }

    /// Thousands of structured mutations (the 32-bit fields of the file header, the first
    /// slots and the blob heads and tails set to boundary or random values) give a result or
    /// an error, never a panic; a cheap, deterministic stand-in for the fuzz target.
    #[test]
    fn field_mutations_are_errors_not_panics() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut outcomes = [0usize; 2];
        for round in 0..3000 {
            let base = [PLAIN, CHURN, MANY][round % 3];
            let mut f = base.to_vec();
            let slots = ndb::slots(base).unwrap();
            for _ in 0..1 + next() % 4 {
                let slot = slots[next() as usize % slots.len()];
                let blob = slot.blkoff as usize * 16;
                let tail = blob + slot.blkcnt as usize * 16 - 12;
                let at = match next() % 4 {
                    0 => (next() as usize % 8) * 4,
                    1 => 32 + (next() as usize % 64) * 4,
                    2 => blob + (next() as usize % 4) * 4,
                    _ => tail + (next() as usize % 3) * 4,
                };
                let value = match next() % 6 {
                    0 => 0,
                    1 => 1,
                    2 => u32::MAX,
                    3 => (f.len() / 16) as u32,
                    4 => (next() % 512) as u32,
                    _ => next() as u32,
                };
                put_u32(&mut f, at, value);
            }
            outcomes[usize::from(RpmNdb.catalog(PATH, &f).is_ok())] += 1;
        }
        // Both outcomes occur: some mutations hit unused fields (free slots, generation).
        assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
    }

    #[test]
    fn an_empty_database_has_no_packages() {
        // What rpmpkgInit writes into a new file.
        let mut f = vec![0u8; 4096];
        f[..4].copy_from_slice(b"RpmP");
        put_u32(&mut f, 8, 1);
        put_u32(&mut f, 12, 1);
        put_u32(&mut f, 16, 1);
        for at in (32..4096).step_by(16) {
            f[at..at + 4].copy_from_slice(b"Slot");
        }
        assert!(RpmNdb.catalog(PATH, &f).unwrap().packages.is_empty());
    }

    #[test]
    fn wants_both_locations() {
        for path in PATHS {
            assert!(RpmNdb.wants(&FileMeta {
                path,
                size: 1,
                mode: 0o644
            }));
        }
        for path in ["var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Index.db"] {
            assert!(!RpmNdb.wants(&FileMeta {
                path,
                size: 1,
                mode: 0o644
            }));
        }
    }
}
