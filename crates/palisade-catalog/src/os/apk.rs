//! Alpine (and Wolfi/Chainguard) packages from apk's database, `lib/apk/db/installed`.
//!
//! Why it matters: Alpine is among the most used base images; apk's installed database is the
//! record of its packages, and the origin (source) package is what Alpine's security database
//! (secdb) and OSV's Alpine entries are keyed by.
//!
//! Input: one record per installed package, records separated by a blank line, one field per
//! line as a single-letter key, `:` and the value. This cataloger reads `P` (name), `V`
//! (version), `A` (architecture), `L` (licence), `o` (origin: the source package); the others
//! (`C` checksum, `S`/`I` sizes, `T` description, `U` url, `m` maintainer, `t` build time, `c`
//! commit, `D` dependencies, `p` provides, `r` replaces, `i` install-if, `k` priority, and the
//! file list `F`/`M`/`R`/`a`/`Z`) are skipped. Example:
//!
//! ```text
//! C:Q1uL7xZNzvzqp4NROmAHsBKzFHSsQ=
//! P:libcrypto3
//! V:3.1.4-r5
//! A:x86_64
//! S:1748596
//! I:4280320
//! T:Crypto library from openssl
//! U:https://www.openssl.org/
//! L:Apache-2.0
//! o:openssl
//! m:Ariadne Conill <ariadne@dereferenced.org>
//! t:1706108476
//! c:59ee2e3c4bb0fcdbebda1c97ff5da8bc6e94c95b
//! D:so:libc.musl-x86_64.so.1
//! p:so:libcrypto.so.3=3
//! F:lib
//! R:libcrypto.so.3
//! a:0:0:755
//! Z:Q1uTGBMSS1wQlnE3fFCUDsKhB9kYA=
//! ```
//!
//! References: apk-tools' `src/database.c` (`apk_db_index_read`, `apk_db_write_fdb`) and
//! `src/package.c` (`apk_pkg_add_info`); the "Apk spec" page of the Alpine wiki (installed
//! database fields).

use palisade_model::{Ecosystem, Package};

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct Apk;

/// The fields of one record that we keep.
#[derive(Debug, Default)]
struct Record<'a> {
    name: Option<&'a str>,
    version: Option<&'a str>,
    arch: Option<&'a str>,
    license: Option<&'a str>,
    origin: Option<&'a str>,
    /// Whether the record had any field at all.
    any: bool,
}

impl Cataloger for Apk {
    fn id(&self) -> &'static str {
        "apk"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        file.path == "lib/apk/db/installed"
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        let text = String::from_utf8_lossy(content);
        let mut records = Vec::new();
        let mut current = Record::default();
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                if current.any {
                    records.push(std::mem::take(&mut current));
                }
                continue;
            }
            let mut chars = line.chars();
            let (Some(key), Some(':')) = (chars.next(), chars.next()) else {
                tracing::debug!(path, line, "skipping malformed apk line");
                continue;
            };
            let value = chars.as_str().trim();
            current.any = true;
            match key {
                'P' => current.name = Some(value),
                'V' => current.version = Some(value),
                'A' => current.arch = Some(value),
                'L' => current.license = Some(value),
                'o' => current.origin = Some(value),
                _ => {}
            }
        }
        if current.any {
            records.push(current);
        }
        if !records.is_empty() && records.iter().all(|r| r.name.is_none()) {
            return Err(CatalogError::new(
                self.id(),
                path,
                "no record has a P: (package name) line: not an apk database",
            ));
        }
        let mut packages = Vec::new();
        for record in records {
            let (Some(name), Some(version)) = (record.name, record.version) else {
                tracing::debug!(path, "skipping apk record without name or version");
                continue;
            };
            if name.is_empty() || version.is_empty() {
                continue;
            }
            let mut pkg = Package::new(name, version, Ecosystem::Apk, path);
            pkg.arch = record.arch.filter(|a| !a.is_empty()).map(str::to_string);
            if let Some(license) = record.license.filter(|l| !l.is_empty()) {
                pkg.licenses.push(license.to_string());
            }
            let origin = record.origin.filter(|o| !o.is_empty()).unwrap_or(name);
            pkg.source_name = Some(origin.to_string());
            pkg.source_version = Some(version.to_string());
            packages.push(pkg);
        }
        Ok(Found::packages(packages))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTALLED: &[u8] = include_bytes!("../../fixtures/apk/installed");
    const PATH: &str = "lib/apk/db/installed";

    #[test]
    fn reads_the_fixture() {
        let found = Apk.catalog(PATH, INSTALLED).unwrap();
        type Row<'a> = (
            &'a str,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            Vec<String>,
        );
        let got: Vec<Row<'_>> = found
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.arch.as_deref(),
                    p.source_name.as_deref(),
                    p.licenses.clone(),
                )
            })
            .collect();
        let s = |v: &str| vec![v.to_string()];
        assert_eq!(
            got,
            vec![
                (
                    "musl",
                    "1.2.4_git20230717-r4",
                    Some("x86_64"),
                    Some("musl"),
                    s("MIT")
                ),
                (
                    "busybox",
                    "1.36.1-r15",
                    Some("x86_64"),
                    Some("busybox"),
                    s("GPL-2.0-only")
                ),
                (
                    "libcrypto3",
                    "3.1.4-r5",
                    Some("x86_64"),
                    Some("openssl"),
                    s("Apache-2.0")
                ),
                (
                    "ca-certificates-bundle",
                    "20230506-r0",
                    Some("x86_64"),
                    Some("ca-certificates"),
                    s("MPL-2.0 AND MIT")
                ),
                (
                    "alpine-baselayout-data",
                    "3.4.3-r2",
                    Some("x86_64"),
                    Some("alpine-baselayout"),
                    s("GPL-2.0-only")
                ),
            ]
        );
        for p in &found.packages {
            assert_eq!(p.ecosystem, Ecosystem::Apk);
            assert_eq!(p.kind, palisade_model::PackageKind::Os);
            assert_eq!(p.locations[0].path, PATH);
            assert_eq!(p.source_version.as_deref(), Some(p.version.as_str()));
        }
    }

    #[test]
    fn crlf_missing_origin_and_no_trailing_blank_line() {
        let text = b"P:a\r\nV:1-r0\r\n\r\n\r\nP:b\nV:2-r1\nA:aarch64";
        let found = Apk.catalog(PATH, text).unwrap();
        assert_eq!(found.packages.len(), 2);
        assert_eq!(found.packages[0].source_name.as_deref(), Some("a"));
        assert_eq!(found.packages[1].arch.as_deref(), Some("aarch64"));
    }

    #[test]
    fn garbage_is_an_error_or_empty_never_a_panic() {
        assert!(Apk.catalog(PATH, b"").unwrap().packages.is_empty());
        assert!(Apk.catalog(PATH, b"X:1\nY:2\n").is_err());
        assert!(Apk.catalog(PATH, b"\xff\xfe\x00:").is_ok());
        for n in 0..INSTALLED.len() {
            let _ = Apk.catalog(PATH, &INSTALLED[..n]);
        }
        // A record without a version is skipped, not reported with an empty one.
        let found = Apk.catalog(PATH, b"P:a\n\nP:b\nV:1\n").unwrap();
        assert_eq!(found.packages.len(), 1);
    }

    #[test]
    fn wants_only_the_database() {
        let meta = |path| FileMeta {
            path,
            size: 1,
            mode: 0o644,
        };
        assert!(Apk.wants(&meta("lib/apk/db/installed")));
        assert!(!Apk.wants(&meta("lib/apk/db/triggers")));
    }
}
