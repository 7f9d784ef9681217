//! npm packages installed in `node_modules`: the `package.json` at the top of each installed
//! package directory (`node_modules/<name>/package.json`, `node_modules/@scope/<name>/package.json`,
//! at any depth, so nested `node_modules/a/node_modules/b/package.json` count too).
//!
//! Why it matters: what is in `node_modules` is what runs, whatever a lock file says; images
//! often ship `node_modules` without any lock file. Files deeper inside a package
//! (`node_modules/x/lib/package.json`, test fixtures) are not installed packages and are not read.
//!
//! ```json
//! { "name": "lodash", "version": "4.17.4", "license": "MIT", "main": "lodash.js" }
//! ```
//!
//! Licence: `license` as a string (SPDX expression), the legacy `{"type": "MIT", "url": ...}`
//! object, or the legacy `licenses` array of such objects (or strings). Files without a string
//! `name` and `version` are skipped (they are not installed packages).
//!
//! References: <https://docs.npmjs.com/cli/v10/configuring-npm/package-json>,
//! <https://docs.npmjs.com/cli/v10/configuring-npm/folders#node-modules>.

use palisade_model::{Ecosystem, Package, PackageKind};
use serde::Deserialize;
use serde_json::Value;

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct NpmPackage;

impl Cataloger for NpmPackage {
    fn id(&self) -> &'static str {
        "npm-package"
    }

    fn version(&self) -> u32 {
        3
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        is_installed_package_json(file.path) || is_project_package_json(file.path)
    }

    fn max_size(&self) -> u64 {
        8 * 1024 * 1024
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        // Some Windows editors and tools write a UTF-8 byte-order mark.
        let content = content.strip_prefix(b"\xef\xbb\xbf").unwrap_or(content);
        let manifest: Manifest = serde_json::from_slice(content).map_err(|e| {
            CatalogError::new(self.id(), path, format!("invalid package.json: {e}"))
        })?;
        let (Some(Value::String(name)), Some(Value::String(version))) =
            (&manifest.name, &manifest.version)
        else {
            return Ok(Found::default());
        };
        let (name, version) = (name.trim(), version.trim());
        if name.is_empty() || version.is_empty() {
            return Ok(Found::default());
        }
        let mut pkg = Package::new(name, version, Ecosystem::Npm, path);
        pkg.licenses = licenses(manifest.license.as_ref(), manifest.licenses.as_ref());
        if is_project_package_json(path) {
            // The application's own manifest (as Trivy reports it): its name and version
            // identify the application, not a dependency.
            pkg.kind = PackageKind::Application;
        }
        Ok(Found::packages(vec![pkg]))
    }
}

/// Only the fields we read; anything else in the manifest is ignored. `Value` so that a
/// field of an unexpected type does not reject the whole file.
#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    name: Option<Value>,
    #[serde(default)]
    version: Option<Value>,
    #[serde(default)]
    license: Option<Value>,
    #[serde(default)]
    licenses: Option<Value>,
}

/// A project's own `package.json`, anywhere outside `node_modules`.
fn is_project_package_json(path: &str) -> bool {
    (path == "package.json" || path.ends_with("/package.json"))
        && !path.starts_with("node_modules/")
        && !path.contains("/node_modules/")
}

/// `.../node_modules/<name>/package.json` or `.../node_modules/@scope/<name>/package.json`.
fn is_installed_package_json(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else {
        return false;
    };
    let mut parts = dir.rsplit('/');
    let (Some(name), Some(parent)) = (parts.next(), parts.next()) else {
        return false;
    };
    if name.is_empty() || name.starts_with('.') {
        return false;
    }
    if parent == "node_modules" {
        return !name.starts_with('@');
    }
    parent.starts_with('@') && parent.len() > 1 && parts.next() == Some("node_modules")
}

/// Licences from `license` (string or `{type}`) and the legacy `licenses` array.
pub(crate) fn licenses(license: Option<&Value>, legacy: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |v: &Value| {
        let s = match v {
            Value::String(s) => s.as_str(),
            Value::Object(o) => match o.get("type") {
                Some(Value::String(s)) => s.as_str(),
                _ => "",
            },
            _ => "",
        };
        let s = s.trim();
        if !s.is_empty() && !out.iter().any(|l: &String| l == s) {
            out.push(s.to_string());
        }
    };
    if let Some(v) = license {
        match v {
            Value::Array(items) => items.iter().for_each(&mut push),
            other => push(other),
        }
    }
    if let Some(v) = legacy {
        match v {
            Value::Array(items) => items.iter().for_each(&mut push),
            other => push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "usr/src/app/node_modules";

    fn catalog(rel: &str) -> Vec<Package> {
        let path = format!("{ROOT}/{rel}");
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/npm-package")
            .join(&path);
        let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        NpmPackage.catalog(&path, &bytes).unwrap().packages
    }

    fn wants(path: &str) -> bool {
        NpmPackage.wants(&FileMeta {
            path,
            size: 10,
            mode: 0o644,
        })
    }

    #[test]
    fn a_project_manifest_is_the_application() {
        let found = NpmPackage
            .catalog(
                "opt/app/package.json",
                br#"{"name":"shop","version":"1.2.0","license":"MIT"}"#,
            )
            .unwrap()
            .packages;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, PackageKind::Application);
        let nameless = NpmPackage
            .catalog("opt/app/package.json", br#"{"private":true}"#)
            .unwrap();
        assert!(nameless.packages.is_empty());
    }

    #[test]
    fn wants_only_package_roots() {
        assert!(wants("node_modules/lodash/package.json"));
        assert!(wants("usr/src/app/node_modules/@types/node/package.json"));
        assert!(wants(
            "app/node_modules/mkdirp/node_modules/minimist/package.json"
        ));
        assert!(wants(
            "usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json"
        ));
        // A project's own manifest is the application.
        assert!(wants("app/package.json"));
        assert!(wants("package.json"));
        assert!(!wants("app/node_modules/lodash/fp/package.json"));
        assert!(!wants("app/node_modules/@types/package.json"));
        assert!(!wants("app/node_modules/@/x/package.json"));
        assert!(!wants("app/node_modules/x/test/fixtures/package.json"));
        assert!(!wants("app/node_modules/.package-lock.json"));
        assert!(!wants("app/node_modules/lodash/package.json.bak"));
    }

    #[test]
    fn real_installed_packages() {
        let cases = [
            ("lodash/package.json", "lodash", "4.17.4", vec!["MIT"]),
            ("minimist/package.json", "minimist", "1.2.0", vec!["MIT"]),
            (
                "@types/node/package.json",
                "@types/node",
                "8.0.0",
                vec!["MIT"],
            ),
            ("is-number/package.json", "is-number", "7.0.0", vec!["MIT"]),
            // Written by npm 6, with the `_from`, `_resolved`... fields.
            ("mkdirp/package.json", "mkdirp", "0.5.1", vec!["MIT"]),
            (
                "mkdirp/node_modules/minimist/package.json",
                "minimist",
                "0.0.8",
                vec!["MIT"],
            ),
            // Legacy `licenses` array.
            (
                "coffee-script/package.json",
                "coffee-script",
                "1.6.3",
                vec!["MIT"],
            ),
        ];
        for (rel, name, version, licenses) in cases {
            let pkgs = catalog(rel);
            assert_eq!(pkgs.len(), 1, "{rel}");
            let p = &pkgs[0];
            assert_eq!(
                (p.name.as_str(), p.version.as_str()),
                (name, version),
                "{rel}"
            );
            assert_eq!(p.licenses, licenses, "{rel}");
            assert_eq!(p.ecosystem, Ecosystem::Npm);
            assert_eq!(p.locations[0].path, format!("{ROOT}/{rel}"));
        }
    }

    #[test]
    fn license_forms() {
        let get = |json: &str| {
            NpmPackage.catalog("p", json.as_bytes()).unwrap().packages[0]
                .licenses
                .clone()
        };
        assert_eq!(
            get(
                r#"{"name":"a","version":"1.0.0","license":{"type":"BSD-3-Clause","url":"http://x"}}"#
            ),
            vec!["BSD-3-Clause"]
        );
        assert_eq!(
            get(
                r#"{"name":"a","version":"1.0.0","licenses":[{"type":"MIT"},{"type":"Apache-2.0"},"GPL-2.0"]}"#
            ),
            vec!["MIT", "Apache-2.0", "GPL-2.0"]
        );
        assert_eq!(
            get(r#"{"name":"a","version":"1.0.0","license":"(MIT OR Apache-2.0)"}"#),
            vec!["(MIT OR Apache-2.0)"]
        );
        assert!(get(r#"{"name":"a","version":"1.0.0","license":42}"#).is_empty());
    }

    #[test]
    fn skips_without_name_or_version_and_rejects_garbage() {
        let none = |json: &str| {
            NpmPackage
                .catalog("p", json.as_bytes())
                .unwrap()
                .packages
                .is_empty()
        };
        assert!(none(r#"{"name":"a"}"#));
        assert!(none(r#"{"version":"1.0.0"}"#));
        assert!(none(r#"{"name":"a","version":1}"#));
        assert!(none(r#"{"name":"","version":"1"}"#));
        assert!(NpmPackage.catalog("p", b"\"str\"").is_err());
        let bom = NpmPackage.catalog("p", b"\xef\xbb\xbf{\"name\":\"a\",\"version\":\"1.0.0\"}");
        assert_eq!(bom.unwrap().packages.len(), 1);
        assert!(NpmPackage.catalog("p", b"{\"name\":").is_err());
        let deep = "[".repeat(100_000);
        assert!(NpmPackage.catalog("p", deep.as_bytes()).is_err());
    }
}
