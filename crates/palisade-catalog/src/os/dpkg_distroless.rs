//! Distroless-style images: one dpkg stanza file per package in `var/lib/dpkg/status.d/`.
//!
//! Why it matters: Google's distroless images and others assembled without dpkg (paketo's
//! tiny/static stacks, Bazel `rules_distroless`) have no `var/lib/dpkg/status` (or an empty
//! one); the only record of their Debian packages is a directory of per-package files, each the
//! package's control stanza. Missing them would make such images look package-free.
//!
//! Input: `var/lib/dpkg/status.d/<package>` holding one stanza, usually written by
//! `dpkg-deb --field` and so without a `Status` line (which then counts as installed), beside
//! `<package>.md5sums` files (skipped). Example, `status.d/libbz2-1.0`:
//!
//! ```text
//! Package: libbz2-1.0
//! Source: bzip2 (1.0.8-5)
//! Version: 1.0.8-5+b1
//! Architecture: amd64
//! Maintainer: Anibal Monsalve Salazar <anibal@debian.org>
//! Installed-Size: 105
//! Depends: libc6 (>= 2.4)
//! Multi-Arch: same
//! ```
//!
//! The stanza parser is the dpkg cataloger's ([`crate::os::dpkg`]). When a file does carry a
//! `Status`, it is honoured as in dpkg's own database.
//!
//! References: deb822(5), dpkg-deb(1) `--field`; GoogleContainerTools/distroless (how the
//! status.d files are produced).

use crate::os::dpkg::{packages_from_status, StatusRule};
use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct DpkgDistroless;

const DIR: &str = "var/lib/dpkg/status.d/";

impl Cataloger for DpkgDistroless {
    fn id(&self) -> &'static str {
        "dpkg-distroless"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        file.path.strip_prefix(DIR).is_some_and(|name| {
            !name.is_empty() && !name.contains('/') && !name.ends_with(".md5sums")
        })
    }

    fn max_size(&self) -> u64 {
        // One control stanza: a few KiB at most.
        1024 * 1024
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        packages_from_status(content, path, StatusRule::MissingMeansInstalled)
            .map(Found::packages)
            .map_err(|msg| CatalogError::new(self.id(), path, msg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: [(&str, &[u8]); 4] = [
        (
            "base-files",
            include_bytes!("../../fixtures/dpkg-distroless/status.d/base-files"),
        ),
        (
            "libbz2-1.0",
            include_bytes!("../../fixtures/dpkg-distroless/status.d/libbz2-1.0"),
        ),
        (
            "libgcc-s1",
            include_bytes!("../../fixtures/dpkg-distroless/status.d/libgcc-s1"),
        ),
        (
            "netbase",
            include_bytes!("../../fixtures/dpkg-distroless/status.d/netbase"),
        ),
    ];

    fn meta(path: &str) -> FileMeta<'_> {
        FileMeta {
            path,
            size: 100,
            mode: 0o644,
        }
    }

    #[test]
    fn matches_dpkg_deb() {
        let mut packages = Vec::new();
        for (name, content) in FILES {
            let path = format!("{DIR}{name}");
            assert!(DpkgDistroless.wants(&meta(&path)));
            let found = DpkgDistroless.catalog(&path, content).unwrap();
            assert_eq!(found.packages.len(), 1, "{name}");
            assert_eq!(found.packages[0].locations[0].path, path);
            packages.extend(found.packages);
        }
        let want: Vec<String> = include_str!("../../fixtures/dpkg-distroless/expected.txt")
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(crate::os::dpkg::tests::as_lines(&packages), want);
    }

    #[test]
    fn wants_stanza_files_only() {
        assert!(!DpkgDistroless.wants(&meta("var/lib/dpkg/status.d/libc6.md5sums")));
        assert!(!DpkgDistroless.wants(&meta("var/lib/dpkg/status.d/")));
        assert!(!DpkgDistroless.wants(&meta("var/lib/dpkg/status.d/x/y")));
        assert!(!DpkgDistroless.wants(&meta("var/lib/dpkg/status")));
        assert!(DpkgDistroless.wants(&meta("var/lib/dpkg/status.d/libc6")));
    }

    #[test]
    fn md5sums_content_is_an_error() {
        let md5 = include_bytes!("../../fixtures/dpkg-distroless/status.d/netbase.md5sums");
        let r = DpkgDistroless.catalog("var/lib/dpkg/status.d/netbase.md5sums", md5);
        assert!(r.map(|f| f.packages.is_empty()).unwrap_or(true));
    }
}
