//! PHP packages installed by Composer: `vendor/composer/installed.json`, at any depth.
//!
//! Why it matters: it is Composer's record of every package physically present in `vendor/`
//! (what the autoloader serves), with the exact version, whether or not the image also ships
//! `composer.lock`.
//!
//! Two layouts: Composer 1 writes a JSON array of packages; Composer 2 writes
//! `{"packages": [...], "dev": true, "dev-package-names": [...]}`.
//!
//! ```json
//! {"packages": [{"name": "monolog/monolog", "version": "1.23.0",
//!                "version_normalized": "1.23.0.0", "license": ["MIT"], ...}],
//!  "dev": true, "dev-package-names": []}
//! ```
//!
//! Packages: `name` (`vendor/name`) and `version` exactly as recorded (a tag-style `v1.8.0` keeps
//! its `v`; Composer's own comparison, and so the Packagist matcher, ignores it). Licences from
//! the `license` array (or a single string). Packages listed in `dev-package-names` are reported
//! too: they are on disk in `vendor/` and served by the autoloader.
//!
//! References: <https://getcomposer.org/doc/07-runtime.md#installed-versions>,
//! Composer `src/Composer/Repository/FilesystemRepository.php`,
//! Trivy `pkg/dependency/parser/php/composer`.

use palisade_model::{Ecosystem, Package};
use serde_json::Value;

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct Composer;

impl Cataloger for Composer {
    fn id(&self) -> &'static str {
        "composer"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        let p = file.path;
        p.ends_with("/vendor/composer/installed.json") || p == "vendor/composer/installed.json"
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        // Some Windows editors and tools write a UTF-8 byte-order mark.
        let content = content.strip_prefix(b"\xef\xbb\xbf").unwrap_or(content);
        let doc: Value = serde_json::from_slice(content)
            .map_err(|e| CatalogError::new(self.id(), path, format!("invalid JSON: {e}")))?;
        let list = match &doc {
            Value::Array(list) => list,
            Value::Object(obj) => match obj.get("packages") {
                Some(Value::Array(list)) => list,
                _ => return Err(CatalogError::new(self.id(), path, "no `packages` array")),
            },
            _ => {
                return Err(CatalogError::new(
                    self.id(),
                    path,
                    "neither an array nor an object",
                ))
            }
        };
        let mut packages = Vec::new();
        for entry in list {
            let Value::Object(entry) = entry else {
                continue;
            };
            let (Some(Value::String(name)), Some(Value::String(version))) =
                (entry.get("name"), entry.get("version"))
            else {
                continue;
            };
            let (name, version) = (name.trim(), version.trim());
            if name.is_empty() || version.is_empty() {
                continue;
            }
            let mut pkg = Package::new(name, version, Ecosystem::Packagist, path);
            pkg.licenses = match entry.get("license") {
                Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_string()],
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                _ => Vec::new(),
            };
            packages.push(pkg);
        }
        Ok(Found::packages(packages))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(layout: &str) -> Vec<Package> {
        let rel = format!("{layout}/vendor/composer/installed.json");
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/composer")
            .join(&rel);
        let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let found = Composer.catalog(&rel, &bytes).unwrap();
        for pkg in &found.packages {
            assert_eq!(pkg.ecosystem, Ecosystem::Packagist);
            assert_eq!(pkg.locations[0].path, rel);
        }
        found.packages
    }

    #[test]
    fn wants_installed_json() {
        let wants = |path| {
            Composer.wants(&FileMeta {
                path,
                size: 1,
                mode: 0o644,
            })
        };
        assert!(wants("var/www/html/vendor/composer/installed.json"));
        assert!(wants("vendor/composer/installed.json"));
        assert!(!wants("var/www/html/vendor/composer/installed.php"));
        assert!(!wants("var/www/html/composer.json"));
        assert!(!wants("x/notvendor/composer/installed.json"));
    }

    #[test]
    fn composer_2_and_1_layouts() {
        for layout in ["v2", "v1"] {
            let pkgs = catalog(layout);
            let got: Vec<_> = pkgs
                .iter()
                .map(|p| (p.name.as_str(), p.version.as_str(), p.licenses.join(" ")))
                .collect();
            assert_eq!(
                got,
                vec![
                    (
                        "acme/dual-licensed",
                        "2.1.0",
                        "LGPL-2.1-only GPL-3.0-or-later".to_string()
                    ),
                    ("monolog/monolog", "1.23.0", "MIT".to_string()),
                    (
                        "phpunit-fixture/devtool",
                        "9.5.0",
                        "BSD-3-Clause".to_string()
                    ),
                    ("psr/log", "1.0.2", "MIT".to_string()),
                    ("symfony/polyfill-ctype", "v1.8.0", "MIT".to_string()),
                ],
                "{layout}"
            );
        }
    }

    #[test]
    fn odd_entries_and_garbage() {
        let found = Composer
            .catalog(
                "p",
                br#"[{"name":"a/b","version":"1.0","license":"MIT"},{"name":"c/d"},{"version":"1"},3,{"name":"e/f","version":"2","license":[1,"BSD-2-Clause"]}]"#,
            )
            .unwrap();
        let got: Vec<_> = found
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.licenses.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a/b", "1.0", vec!["MIT".to_string()]),
                ("e/f", "2", vec!["BSD-2-Clause".to_string()]),
            ]
        );
        assert!(Composer.catalog("p", b"").is_err());
        assert!(Composer.catalog("p", b"{}").is_err());
        assert!(Composer.catalog("p", b"\"x\"").is_err());
    }
}
