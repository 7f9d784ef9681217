//! Licences of Debian packages, from `usr/share/doc/<package>/copyright`.
//!
//! dpkg's status database records no licence; Debian ships it per package in the copyright
//! file instead. Machine-readable files (DEP-5, "copyright-format/1.0") name each licence in
//! `License:` fields, e.g.
//!
//! ```text
//! Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
//! Files: *
//! License: GPL-2+ or Artistic
//! ```
//!
//! Older free-form files point at `/usr/share/common-licenses/GPL-2` and friends. Debian's short
//! names are mapped to SPDX identifiers where one exists (`GPL-2+` → `GPL-2.0-or-later`,
//! `Expat` → `MIT`); others are kept as written. The result is a [`LicenseFact`] that the scan
//! applies to the dpkg package of that name.
//!
//! References: <https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/>,
//! <https://spdx.org/licenses/>.

use palisade_model::Ecosystem;

use crate::{CatalogError, Cataloger, FileMeta, Found, LicenseFact};

pub struct DpkgCopyright;

impl Cataloger for DpkgCopyright {
    fn id(&self) -> &'static str {
        "dpkg-copyright"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        package_of(file.path).is_some()
    }

    fn max_size(&self) -> u64 {
        4 * 1024 * 1024
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        let Some(package) = package_of(path) else {
            return Ok(Found::default());
        };
        let text = String::from_utf8_lossy(content);
        let licenses = if is_machine_readable(&text) {
            dep5_licenses(&text)
        } else {
            common_license_references(&text)
        };
        if licenses.is_empty() {
            return Ok(Found::default());
        }
        Ok(Found {
            licenses: vec![LicenseFact {
                ecosystem: Ecosystem::Deb,
                name: package.to_string(),
                licenses,
            }],
            ..Found::default()
        })
    }
}

/// `usr/share/doc/<package>/copyright` → `<package>`.
fn package_of(path: &str) -> Option<&str> {
    let package = path
        .strip_prefix("usr/share/doc/")?
        .strip_suffix("/copyright")?;
    (!package.is_empty() && !package.contains('/')).then_some(package)
}

fn is_machine_readable(text: &str) -> bool {
    text.lines().next().is_some_and(|first| {
        first.starts_with("Format:")
            && (first.contains("copyright-format") || first.contains("dep5"))
    })
}

/// Every licence named in a `License:` field (first line only: the rest is the licence text).
fn dep5_licenses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(value) = line.strip_prefix("License:") else {
            continue;
        };
        for name in split_expression(value) {
            push_unique(&mut out, normalize(&name));
        }
    }
    out
}

/// `GPL-1+ or Artistic, and Expat` → `GPL-1+`, `Artistic`, `Expat`. A `with X exception`
/// stays attached to its licence.
fn split_expression(value: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for word in value.split(|c: char| c.is_whitespace() || c == ',') {
        match word {
            "" => {}
            "or" | "and" | "OR" | "AND" => {
                if !current.is_empty() {
                    names.push(current.join(" "));
                    current.clear();
                }
            }
            w => current.push(w),
        }
    }
    if !current.is_empty() {
        names.push(current.join(" "));
    }
    names
}

/// Free-form files: licences referenced as `/usr/share/common-licenses/<NAME>`.
fn common_license_references(text: &str) -> Vec<String> {
    const PREFIX: &str = "/usr/share/common-licenses/";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        rest = &rest[at + PREFIX.len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
            .collect();
        let name = name.trim_end_matches('.');
        if !name.is_empty() {
            push_unique(&mut out, normalize(name));
        }
    }
    out
}

fn push_unique(out: &mut Vec<String>, name: String) {
    if !name.is_empty() && !out.contains(&name) {
        out.push(name);
    }
}

/// Debian short licence names → SPDX identifiers; unknown names are returned as written.
fn normalize(name: &str) -> String {
    let trimmed = name.trim();
    let key = trimmed.to_ascii_lowercase();
    let spdx = match key.as_str() {
        "gpl-1" => "GPL-1.0-only",
        "gpl-1+" => "GPL-1.0-or-later",
        "gpl-2" | "gplv2" => "GPL-2.0-only",
        "gpl-2+" | "gplv2+" => "GPL-2.0-or-later",
        "gpl-3" | "gplv3" => "GPL-3.0-only",
        "gpl-3+" | "gplv3+" => "GPL-3.0-or-later",
        // Debian's common-licenses/GPL is the latest version, GPL-3.
        "gpl" => "GPL-3.0-or-later",
        "lgpl-2" => "LGPL-2.0-only",
        "lgpl-2+" => "LGPL-2.0-or-later",
        "lgpl-2.1" | "lgplv2.1" => "LGPL-2.1-only",
        "lgpl-2.1+" | "lgplv2.1+" => "LGPL-2.1-or-later",
        "lgpl-3" | "lgplv3" => "LGPL-3.0-only",
        "lgpl-3+" | "lgplv3+" => "LGPL-3.0-or-later",
        "lgpl" => "LGPL-3.0-or-later",
        "agpl-3" => "AGPL-3.0-only",
        "agpl-3+" => "AGPL-3.0-or-later",
        "gfdl-1.2" => "GFDL-1.2-only",
        "gfdl-1.2+" => "GFDL-1.2-or-later",
        "gfdl-1.3" => "GFDL-1.3-only",
        "gfdl-1.3+" => "GFDL-1.3-or-later",
        "apache-2" | "apache-2.0" => "Apache-2.0",
        "artistic" | "artistic-1" => "Artistic-1.0",
        "artistic-2" | "artistic-2.0" => "Artistic-2.0",
        "expat" | "mit" => "MIT",
        "bsd-2-clause" => "BSD-2-Clause",
        "bsd-3-clause" | "bsd" => "BSD-3-Clause",
        "bsd-4-clause" => "BSD-4-Clause",
        "isc" => "ISC",
        "zlib" => "Zlib",
        "mpl-1.1" => "MPL-1.1",
        "mpl-2.0" => "MPL-2.0",
        "cc0-1.0" | "cc0" => "CC0-1.0",
        "x11" => "X11",
        "fsfullr" => "FSFULLR",
        "unicode" => "Unicode-DFS-2016",
        "psf-2" => "PSF-2.0",
        "openssl" => "OpenSSL",
        "curl" => "curl",
        _ => return trimmed.to_string(),
    };
    spdx.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(package: &str) -> Vec<String> {
        let path = format!("usr/share/doc/{package}/copyright");
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/dpkg-copyright")
            .join(&path);
        let bytes = std::fs::read(&file).unwrap();
        let found = DpkgCopyright.catalog(&path, &bytes).unwrap();
        assert_eq!(found.licenses.len(), 1);
        assert_eq!(found.licenses[0].name, package);
        assert_eq!(found.licenses[0].ecosystem, Ecosystem::Deb);
        found.licenses[0].licenses.clone()
    }

    #[test]
    fn machine_readable_files_list_every_licence_once() {
        // The GPL-2.0-only that some tools add comes from the licence text quoting
        // common-licenses/GPL-2; the licence itself is GPL-2+.
        assert_eq!(catalog("adduser"), vec!["GPL-2.0-or-later"]);
        let perl = catalog("perl-base");
        for expected in ["GPL-1.0-or-later", "Artistic-1.0", "MIT", "BSD-3-Clause"] {
            assert!(
                perl.contains(&expected.to_string()),
                "{expected} not in {perl:?}"
            );
        }
        // Licences without an SPDX identifier are kept as Debian names them.
        assert!(
            perl.contains(&"GPL-3+-WITH-BISON-EXCEPTION".to_string()),
            "{perl:?}"
        );
        let tar = catalog("tar");
        assert!(tar.contains(&"GPL-3.0-or-later".to_string()), "{tar:?}");
        let unique: std::collections::BTreeSet<&String> = perl.iter().collect();
        assert_eq!(unique.len(), perl.len());
    }

    #[test]
    fn free_form_files_use_common_licence_references() {
        assert_eq!(catalog("libc6"), vec!["LGPL-2.1-only", "GPL-2.0-only"]);
        assert_eq!(catalog("base-files"), vec!["GPL-3.0-or-later"]);
    }

    #[test]
    fn wants_only_top_level_copyright_files() {
        let wants = |path| {
            DpkgCopyright.wants(&FileMeta {
                path,
                size: 10,
                mode: 0o644,
            })
        };
        assert!(wants("usr/share/doc/bash/copyright"));
        assert!(!wants("usr/share/doc/bash/examples/copyright"));
        assert!(!wants("usr/share/doc//copyright"));
        assert!(!wants("usr/share/doc/bash/copyright.gz"));
    }

    #[test]
    fn garbage_yields_nothing_and_never_panics() {
        for input in [
            &b""[..],
            b"Format: copyright-format\nLicense:",
            b"\xff\xfe\x00License: GPL-2",
        ] {
            let found = DpkgCopyright
                .catalog("usr/share/doc/x/copyright", input)
                .unwrap();
            assert!(found
                .licenses
                .iter()
                .all(|f| f.licenses.iter().all(|l| !l.is_empty())));
        }
        assert_eq!(
            split_expression("GPL-3+ with Bison exception or MIT"),
            vec!["GPL-3+ with Bison exception", "MIT"]
        );
        assert_eq!(
            split_expression("GPL-1+ or Artistic, and Expat"),
            vec!["GPL-1+", "Artistic", "Expat"]
        );
    }
}
