//! RPM packages from the BerkeleyDB rpm database (`var/lib/rpm/Packages`).
//!
//! Why it matters: rpm before 4.16 keeps its package database in Berkeley DB. RHEL/CentOS 7 and
//! 8, UBI 8, Oracle Linux 7/8, Amazon Linux 2 and SLES 12/15 images — a large share of the
//! enterprise images in use — record their installed packages only there.
//!
//! Input: a Berkeley DB hash database (read by [`crate::formats::berkeley_db`]) whose keys are
//! header instance numbers (4 bytes, the writing host's byte order) and whose values are rpm
//! headers (read by [`crate::formats::rpm_header`]). Key 0 holds rpm's next free instance
//! number and is skipped. For example (`db5.3_dump -p`):
//!
//! ```text
//! VERSION=3
//! format=print
//! type=hash
//! h_nelem=6
//! db_pagesize=4096
//! HEADER=END
//!  \00\00\00\00
//!  \06\00\00\00
//!  \02\00\00\00
//!  \00\00\00=\00\00\03l\00\00\00?\00\00\00\07\00\00\02\c5\00\00\00\10\00\00\00d...
//! DATA=END
//! ```
//!
//! The other files in `var/lib/rpm/` (Name, Basenames, Providename, ...) are indexes over the
//! same headers and are not read.
//!
//! References: rpm's `lib/backend/db3.c` (how rpm stored headers), Berkeley DB's `dbinc/
//! db_page.h`; go-rpmdb's `pkg/bdb` documents the same layout.

use crate::formats::berkeley_db::HashDb;
use crate::formats::rpm_header::package_from_header;
use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct RpmBdb;

const PATHS: [&str; 2] = ["var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages"];

impl Cataloger for RpmBdb {
    fn id(&self) -> &'static str {
        "rpm-bdb"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        PATHS.contains(&file.path)
    }

    fn max_size(&self) -> u64 {
        // Large RHEL 7/8 images have Packages files of a few hundred MiB.
        1024 * 1024 * 1024
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        let fail = |msg: String| CatalogError::new(self.id(), path, msg);
        let db = HashDb::open(content).map_err(|e| fail(e.to_string()))?;
        let mut packages = Vec::new();
        for entry in db.entries() {
            let (key, value) = entry.map_err(|e| fail(e.to_string()))?;
            // rpm's bookkeeping record: key 0 holds the next free instance number.
            if key.iter().all(|&b| b == 0) {
                continue;
            }
            match package_from_header(&value, path) {
                Ok(Some(pkg)) => packages.push(pkg),
                Ok(None) => {}
                Err(e) => {
                    let instance = instance_number(&key, db.is_big_endian());
                    return Err(fail(format!("header instance {instance}: {e}")));
                }
            }
        }
        Ok(Found::packages(packages))
    }
}

fn instance_number(key: &[u8], big_endian: bool) -> String {
    match <[u8; 4]>::try_from(key) {
        Ok(b) if big_endian => u32::from_be_bytes(b).to_string(),
        Ok(b) => u32::from_le_bytes(b).to_string(),
        Err(_) => format!("{key:02x?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os::rpm_sqlite::RpmSqlite;

    const SQLITE: &[u8] = include_bytes!("../../fixtures/rpm-sqlite/rpmdb.sqlite");
    const PATH: &str = "var/lib/rpm/Packages";

    fn names_and_versions(found: &Found) -> Vec<(String, String, Option<String>)> {
        let mut v: Vec<_> = found
            .packages
            .iter()
            .map(|p| (p.name.clone(), p.version.clone(), p.source_name.clone()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn yields_the_same_packages_as_the_sqlite_database() {
        let from_sqlite = RpmSqlite
            .catalog("var/lib/rpm/rpmdb.sqlite", SQLITE)
            .unwrap();
        for file in [
            include_bytes!("../../fixtures/rpm-bdb/Packages").as_slice(),
            include_bytes!("../../fixtures/rpm-bdb/Packages-be").as_slice(),
            include_bytes!("../../fixtures/rpm-bdb/Packages-64k").as_slice(),
            include_bytes!("../../fixtures/rpm-bdb/Packages-chksum").as_slice(),
        ] {
            let found = RpmBdb.catalog(PATH, file).unwrap();
            assert_eq!(found.packages.len(), 4, "gpg-pubkey and key 0 skipped");
            assert_eq!(names_and_versions(&found), names_and_versions(&from_sqlite));
            // Everything but the location is identical.
            let mut a = found.packages.clone();
            let mut b = from_sqlite.packages.clone();
            for p in a.iter_mut().chain(b.iter_mut()) {
                p.locations.clear();
            }
            a.sort_by(|x, y| x.name.cmp(&y.name));
            b.sort_by(|x, y| x.name.cmp(&y.name));
            assert_eq!(a, b);
            assert!(found.packages.iter().all(|p| p.locations[0].path == PATH));
        }
    }

    #[test]
    fn matches_what_rpm_reports() {
        let found = RpmBdb
            .catalog(PATH, include_bytes!("../../fixtures/rpm-bdb/Packages"))
            .unwrap();
        let mut lines: Vec<String> = found
            .packages
            .iter()
            .map(|p| format!("{}\t{}", p.name, p.version))
            .collect();
        lines.sort();
        let want: Vec<String> = include_str!("../../fixtures/rpm-sqlite/expected.txt")
            .lines()
            .filter(|l| !l.starts_with("gpg-pubkey"))
            .map(|l| l.split('\t').take(2).collect::<Vec<_>>().join("\t"))
            .collect();
        assert_eq!(lines, want);
    }

    #[test]
    fn other_files_are_errors() {
        assert!(RpmBdb.catalog(PATH, SQLITE).is_err());
        assert!(RpmBdb.catalog(PATH, b"").is_err());
        assert!(RpmBdb.wants(&FileMeta {
            path: "var/lib/rpm/Packages",
            size: 1,
            mode: 0o644
        }));
        assert!(!RpmBdb.wants(&FileMeta {
            path: "var/lib/rpm/Name",
            size: 1,
            mode: 0o644
        }));
    }
}
