//! npm lock files: `package-lock.json` (and `npm-shrinkwrap.json`, the same format) outside
//! `node_modules`.
//!
//! Why it matters: a Node.js application image often ships its lock file with the code; it
//! records the exact version of every dependency that `npm ci` installs, including ones whose
//! `node_modules` directory was pruned or bundled away.
//!
//! Two layouts exist:
//! - `lockfileVersion` 1 (npm 5-6): a nested `dependencies` tree, name → `{version, dev,
//!   dependencies}`.
//! - `lockfileVersion` 2 and 3 (npm 7+): a flat `packages` map keyed by install path; the
//!   package name is what follows the last `node_modules/` (version 2 also carries the v1 tree
//!   for old npm; the `packages` map is preferred).
//!
//! ```json
//! { "lockfileVersion": 3, "packages": {
//!     "": { "name": "app", "version": "1.0.0" },
//!     "node_modules/mkdirp": { "version": "0.5.1", "license": "MIT" },
//!     "node_modules/mkdirp/node_modules/minimist": { "version": "0.0.8" },
//!     "node_modules/local-lib": { "resolved": "local-lib", "link": true } } }
//! ```
//!
//! Skipped, like Trivy: the root project (`""`), `link: true` entries (symlinks to local
//! folders), `dev: true` entries (development dependencies are not installed in production
//! images), local folders outside `node_modules`, and `file:`/`link:` versions in v1.
//! npm aliases (`"x": {"name": "real"}` in v2/3, `"version": "npm:real@1.0.0"` in v1) are
//! reported under the real package name.
//!
//! References: <https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json>,
//! Trivy `pkg/dependency/parser/nodejs/npm/parse.go`.

use std::collections::BTreeSet;

use palisade_model::{Ecosystem, Package};
use serde_json::{Map, Value};

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct NpmLock;

impl Cataloger for NpmLock {
    fn id(&self) -> &'static str {
        "npm-lock"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        let name = file.file_name();
        (name == "package-lock.json" || name == "npm-shrinkwrap.json")
            && !file.path.starts_with("node_modules/")
            && !file.path.contains("/node_modules/")
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        // Some Windows editors and tools write a UTF-8 byte-order mark.
        let content = content.strip_prefix(b"\xef\xbb\xbf").unwrap_or(content);
        let lock: Value = serde_json::from_slice(content)
            .map_err(|e| CatalogError::new(self.id(), path, format!("invalid JSON: {e}")))?;
        let Value::Object(lock) = lock else {
            return Err(CatalogError::new(self.id(), path, "not a JSON object"));
        };
        let mut out = Collector {
            path,
            seen: BTreeSet::new(),
            packages: Vec::new(),
        };
        match lock.get("packages") {
            Some(Value::Object(packages)) => from_packages(packages, &mut out),
            _ => match lock.get("dependencies") {
                Some(Value::Object(deps)) => from_dependencies(deps, &mut out),
                _ => {
                    return Err(CatalogError::new(
                        self.id(),
                        path,
                        "neither `packages` nor `dependencies`",
                    ))
                }
            },
        }
        Ok(Found::packages(out.packages))
    }
}

struct Collector<'a> {
    path: &'a str,
    seen: BTreeSet<(String, String)>,
    packages: Vec<Package>,
}

impl Collector<'_> {
    fn add(&mut self, name: &str, version: &str, licenses: Vec<String>) {
        let (name, version) = (name.trim(), version.trim());
        if name.is_empty() || version.is_empty() {
            return;
        }
        if !self.seen.insert((name.to_string(), version.to_string())) {
            return;
        }
        let mut pkg = Package::new(name, version, Ecosystem::Npm, self.path);
        pkg.licenses = licenses;
        self.packages.push(pkg);
    }
}

fn is_true(entry: &Map<String, Value>, key: &str) -> bool {
    matches!(entry.get(key), Some(Value::Bool(true)))
}

fn str_field<'a>(entry: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    match entry.get(key) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// Lock file versions 2 and 3.
fn from_packages(packages: &Map<String, Value>, out: &mut Collector<'_>) {
    for (key, entry) in packages {
        let Value::Object(entry) = entry else {
            continue;
        };
        if key.is_empty() || is_true(entry, "link") || is_true(entry, "dev") {
            continue;
        }
        let Some(idx) = key.rfind("node_modules/") else {
            // A workspace or local folder, not an installed dependency.
            continue;
        };
        let from_path = key.get(idx + "node_modules/".len()..).unwrap_or("");
        let name = str_field(entry, "name").unwrap_or(from_path);
        let Some(version) = str_field(entry, "version") else {
            continue;
        };
        let licenses = super::npm_package::licenses(entry.get("license"), entry.get("licenses"));
        out.add(name, version, licenses);
    }
}

/// Lock file version 1: the nested `dependencies` tree, walked without recursion.
fn from_dependencies(deps: &Map<String, Value>, out: &mut Collector<'_>) {
    let mut stack: Vec<&Map<String, Value>> = vec![deps];
    while let Some(deps) = stack.pop() {
        for (name, entry) in deps {
            let Value::Object(entry) = entry else {
                continue;
            };
            if is_true(entry, "dev") {
                continue;
            }
            if let Some(version) = str_field(entry, "version") {
                if let Some(alias) = version.strip_prefix("npm:") {
                    // `npm:real-name@1.2.3` (the name may be scoped: `npm:@s/n@1.0.0`).
                    if let Some((real, v)) = alias.rsplit_once('@') {
                        out.add(real, v, Vec::new());
                    }
                } else if !version.starts_with("file:") && !version.starts_with("link:") {
                    out.add(name, version, Vec::new());
                }
            }
            if let Some(Value::Object(nested)) = entry.get("dependencies") {
                stack.push(nested);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(version: &str) -> Vec<(String, String, Vec<String>)> {
        let path = format!("{version}/package-lock.json");
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/npm-lock")
            .join(&path);
        let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let found = NpmLock.catalog(&path, &bytes).unwrap();
        let mut out: Vec<_> = found
            .packages
            .into_iter()
            .map(|p| {
                assert_eq!(p.ecosystem, Ecosystem::Npm);
                assert_eq!(p.locations[0].path, path);
                (p.name, p.version, p.licenses)
            })
            .collect();
        out.sort();
        out
    }

    fn nv(list: &[(String, String, Vec<String>)]) -> Vec<(&str, &str)> {
        list.iter()
            .map(|(n, v, _)| (n.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn wants_lock_files_outside_node_modules() {
        let wants = |path| {
            NpmLock.wants(&FileMeta {
                path,
                size: 1,
                mode: 0o644,
            })
        };
        assert!(wants("usr/src/app/package-lock.json"));
        assert!(wants("package-lock.json"));
        assert!(wants("app/npm-shrinkwrap.json"));
        assert!(!wants("app/node_modules/x/package-lock.json"));
        assert!(!wants("node_modules/x/package-lock.json"));
        assert!(!wants("app/node_modules/.package-lock.json"));
        assert!(!wants("app/package.json"));
    }

    #[test]
    fn lockfile_v1_nested_dependencies() {
        let got = catalog("v1");
        assert_eq!(
            nv(&got),
            vec![
                ("@types/node", "8.0.0"),
                ("lodash", "4.17.4"),
                ("minimist", "0.0.8"),
                ("minimist", "1.2.0"),
                ("mkdirp", "0.5.1"),
            ]
        );
    }

    #[test]
    fn lockfile_v2_uses_packages() {
        let got = catalog("v2");
        assert_eq!(
            nv(&got),
            vec![
                ("@types/node", "8.10.66"),
                ("lodash", "4.18.1"),
                ("minimist", "1.2.8"),
                ("mkdirp", "0.5.6"),
            ]
        );
        assert!(got.iter().all(|(_, _, l)| l == &vec!["MIT".to_string()]));
    }

    #[test]
    fn lockfile_v3_skips_root_links_and_dev() {
        let got = catalog("v3");
        assert_eq!(
            nv(&got),
            vec![
                ("@types/node", "8.0.0"),
                ("lodash", "4.17.4"),
                ("minimist", "0.0.8"),
                ("minimist", "1.2.0"),
                ("mkdirp", "0.5.1"),
            ]
        );
        assert!(got.iter().all(|(_, _, l)| l == &vec!["MIT".to_string()]));
    }

    #[test]
    fn aliases_and_odd_entries() {
        let v3 = br#"{"lockfileVersion":3,"packages":{
            "node_modules/old": {"name":"real","version":"2.0.0"},
            "node_modules/noversion": {},
            "node_modules/weird": 5,
            "packages/ws": {"name":"ws-local","version":"1.0.0"}
        }}"#;
        let found = NpmLock.catalog("p", v3).unwrap();
        let names: Vec<_> = found
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(names, vec![("real", "2.0.0")]);

        let v1 = br#"{"lockfileVersion":1,"dependencies":{
            "alias": {"version":"npm:@scope/real@1.2.3"},
            "loc": {"version":"file:../loc"},
            "bad": {"version": 3}
        }}"#;
        let found = NpmLock.catalog("p", v1).unwrap();
        let names: Vec<_> = found
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(names, vec![("@scope/real", "1.2.3")]);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(NpmLock.catalog("p", b"").is_err());
        assert!(NpmLock.catalog("p", b"[]").is_err());
        assert!(NpmLock.catalog("p", b"{}").is_err());
        assert!(NpmLock
            .catalog("p", "{\"dependencies\":".repeat(10_000).as_bytes())
            .is_err());
    }
}
