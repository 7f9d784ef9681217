//! Python distributions installed into an image: `*.dist-info/METADATA` (wheels, pip),
//! `*.egg-info/PKG-INFO` (setuptools, `setup.py install`/develop), `*.egg-info` files (a single
//! file written by distutils, common in Debian's `dist-packages`) and `*.egg/EGG-INFO/PKG-INFO`
//! (unzipped eggs installed by `easy_install`).
//!
//! Why it matters: most vulnerable Python code in images is installed by pip next to the
//! application; these metadata files are the only record of what was installed and which version.
//!
//! The files use the "core metadata" format, an RFC 822 e-mail header: `Key: value` lines,
//! continuation lines start with whitespace, and the first empty line starts the body (the long
//! description), which is not read.
//!
//! ```text
//! Metadata-Version: 2.4
//! Name: attrs
//! Version: 25.4.0
//! License-Expression: MIT
//! Classifier: License :: OSI Approved :: MIT License
//!
//! (description)
//! ```
//!
//! Licence: `License-Expression` (an SPDX expression, metadata 2.4), else `License` when it is
//! a short one-line value (older tools often paste the whole licence text there), else the last
//! segment of every `Classifier: License :: ...` trove classifier.
//!
//! References: <https://packaging.python.org/en/latest/specifications/core-metadata/>,
//! <https://packaging.python.org/en/latest/specifications/recording-installed-packages/>,
//! PEP 639 (License-Expression).

use palisade_model::{Ecosystem, Package};

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct Python;

/// A `License:` value longer than this is licence text, not a licence name.
const MAX_SHORT_LICENSE: usize = 80;

impl Cataloger for Python {
    fn id(&self) -> &'static str {
        "python"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        let p = file.path;
        p.ends_with(".dist-info/METADATA")
            || p.ends_with(".egg-info/PKG-INFO")
            || p.ends_with(".egg-info")
            || p.ends_with(".egg/EGG-INFO/PKG-INFO")
    }

    fn max_size(&self) -> u64 {
        16 * 1024 * 1024
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        let text = String::from_utf8_lossy(content);
        let headers = parse_headers(&text);
        let get = |key: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        let name =
            get("Name").ok_or_else(|| CatalogError::new(self.id(), path, "no Name header"))?;
        let version = get("Version")
            .ok_or_else(|| CatalogError::new(self.id(), path, "no Version header"))?;

        let mut pkg = Package::new(name, version, Ecosystem::PyPI, path);
        pkg.licenses = licenses(&headers);
        Ok(Found::packages(vec![pkg]))
    }
}

/// The header fields in order, continuation lines joined with a newline. Stops at the body.
fn parse_headers(text: &str) -> Vec<(&str, String)> {
    let mut out: Vec<(&str, String)> = Vec::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = out.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            out.push((key.trim(), value.trim().to_string()));
        }
    }
    out
}

fn licenses(headers: &[(&str, String)]) -> Vec<String> {
    let field = |key: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    if let Some(expr) = field("License-Expression") {
        return vec![expr.to_string()];
    }
    if let Some(license) = field("License") {
        if license.len() <= MAX_SHORT_LICENSE
            && !license.contains('\n')
            && !license.eq_ignore_ascii_case("UNKNOWN")
        {
            return vec![license.to_string()];
        }
    }
    let mut out: Vec<String> = Vec::new();
    for (_, classifier) in headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Classifier"))
    {
        let Some(rest) = classifier.strip_prefix("License ::") else {
            continue;
        };
        let last = rest.rsplit("::").next().unwrap_or(rest).trim();
        if !last.is_empty() && last != "OSI Approved" && !out.iter().any(|l| l == last) {
            out.push(last.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/python")
            .join(rel);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    fn one(path: &str, rel: &str) -> Package {
        let found = Python.catalog(path, &fixture(rel)).unwrap();
        assert_eq!(found.packages.len(), 1);
        found.packages.into_iter().next().unwrap()
    }

    fn meta(path: &str) -> FileMeta<'_> {
        FileMeta {
            path,
            size: 100,
            mode: 0o644,
        }
    }

    #[test]
    fn wants_metadata_files_only() {
        for p in [
            "usr/lib/python3.11/site-packages/requests-2.19.0.dist-info/METADATA",
            "app/six.egg-info/PKG-INFO",
            "usr/lib/python3/dist-packages/crit-3.17.1-py3.11.egg-info",
            "usr/lib/python2.7/site-packages/six-1.11.0-py2.7.egg/EGG-INFO/PKG-INFO",
        ] {
            assert!(Python.wants(&meta(p)), "{p}");
        }
        for p in [
            "usr/lib/python3/site-packages/requests-2.19.0.dist-info/RECORD",
            "usr/lib/python3/site-packages/requests/__init__.py",
            "METADATA",
            "app/EGG-INFO/PKG-INFO",
        ] {
            assert!(!Python.wants(&meta(p)), "{p}");
        }
    }

    #[test]
    fn dist_info_with_short_license() {
        let path = "usr/local/lib/python3.11/site-packages/requests-2.19.0.dist-info/METADATA";
        let pkg = one(path, "site-packages/requests-2.19.0.dist-info/METADATA");
        assert_eq!(pkg.name, "requests");
        assert_eq!(pkg.version, "2.19.0");
        assert_eq!(pkg.ecosystem, Ecosystem::PyPI);
        assert_eq!(pkg.licenses, vec!["Apache 2.0"]);
        assert_eq!(pkg.locations[0].path, path);
        assert!(pkg.purl.is_empty());

        let pkg = one("x", "site-packages/urllib3-1.23.dist-info/METADATA");
        assert_eq!(
            (pkg.name.as_str(), pkg.version.as_str()),
            ("urllib3", "1.23")
        );
        assert_eq!(pkg.licenses, vec!["MIT"]);
    }

    #[test]
    fn license_expression_wins() {
        let pkg = one("x", "site-packages/attrs-25.4.0.dist-info/METADATA");
        assert_eq!(
            (pkg.name.as_str(), pkg.version.as_str()),
            ("attrs", "25.4.0")
        );
        assert_eq!(pkg.licenses, vec!["MIT"]);
    }

    #[test]
    fn classifiers_when_no_license_field() {
        let pkg = one("x", "site-packages/packaging-25.0.dist-info/METADATA");
        assert_eq!(
            (pkg.name.as_str(), pkg.version.as_str()),
            ("packaging", "25.0")
        );
        assert_eq!(pkg.licenses, vec!["Apache Software License", "BSD License"]);
    }

    #[test]
    fn egg_info_directory_and_file() {
        let pkg = one("x", "six.egg-info/PKG-INFO");
        assert_eq!((pkg.name.as_str(), pkg.version.as_str()), ("six", "1.11.0"));
        assert_eq!(pkg.licenses, vec!["MIT"]);
        let pkg = one("x", "dist-packages/crit-3.17.1-py3.11.egg-info");
        assert_eq!(
            (pkg.name.as_str(), pkg.version.as_str()),
            ("crit", "3.17.1")
        );
        assert_eq!(pkg.licenses, vec!["GPLv2"]);
    }

    #[test]
    fn long_license_text_falls_back_to_classifiers_and_body_is_ignored() {
        let input = "Metadata-Version: 2.1\r\nName: Foo_Bar\r\nVersion: 1.0\r\nLicense: Copyright (c) 2020\r\n        Permission is hereby granted, free of charge, to any person\r\nClassifier: License :: OSI Approved :: MIT License\r\n\r\nName: other\r\nVersion: 9\r\n";
        let found = Python.catalog("p", input.as_bytes()).unwrap();
        let pkg = &found.packages[0];
        assert_eq!(
            (pkg.name.as_str(), pkg.version.as_str()),
            ("Foo_Bar", "1.0")
        );
        assert_eq!(pkg.licenses, vec!["MIT License"]);
    }

    #[test]
    fn missing_fields_and_garbage_are_errors_not_panics() {
        assert!(Python.catalog("p", b"Name: x\n").is_err());
        assert!(Python.catalog("p", b"").is_err());
        assert!(Python
            .catalog("p", &[0xff, 0xfe, b':', b'\n', b' ', 0])
            .is_err());
        let err = Python.catalog("a/METADATA", b"Version: 1\n").unwrap_err();
        assert_eq!(err.to_string(), "python: a/METADATA: no Name header");
    }
}
