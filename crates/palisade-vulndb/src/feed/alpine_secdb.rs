//! The Alpine security database (secdb): per branch and repository, every package's
//! `secfixes`, mapping the version that fixed something to the ids it fixed.
//!
//! Published as JSON at `https://secdb.alpinelinux.org/<branch>/<repo>.json` and kept as YAML
//! in the alpine-secdb repository; both shapes are read. Alpine names packages by their origin
//! (source) package, so findings match on the apk origin. A fix version of `0` means the
//! package was never affected in that branch: it yields no advisory. Each id entry may carry
//! extra words (`CVE-2017-12122 TALOS-2017-0488`, `CVE-2018-14468 (FrameRelay)`): the first
//! word is the id, further ids become aliases.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::osv::{Affected, AffectedPackage, Event, Range, RangeKind, Record};

/// Larger secdb documents are refused: the biggest real branch file is a few hundred KiB.
pub const MAX_SECDB_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SecdbError {
    #[error("the secdb document is {0} bytes, more than the {MAX_SECDB_BYTES} accepted")]
    TooLarge(usize),
    #[error("not an Alpine secdb document: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not an Alpine secdb document: {0}")]
    Yaml(String),
    #[error("the secdb document has no usable `distroversion` ({0:?})")]
    NoBranch(String),
}

#[derive(Debug, Deserialize)]
struct Document {
    distroversion: String,
    #[serde(default)]
    packages: Vec<PackageEntry>,
}

#[derive(Debug, Deserialize)]
struct PackageEntry {
    pkg: Pkg,
}

#[derive(Debug, Deserialize)]
struct Pkg {
    name: String,
    #[serde(default)]
    secfixes: Option<BTreeMap<String, Option<Vec<String>>>>,
}

/// Per vulnerability id: its aliases, and per package the versions that fixed it.
type Fixes = (Vec<String>, BTreeMap<String, Vec<String>>);

/// One secdb document turned into OSV-shaped records, one per vulnerability id, each with
/// an `Alpine:<branch>` affected entry per package it was fixed in.
#[derive(Debug, Default)]
pub struct SecdbLoad {
    pub branch: String,
    pub records: Vec<Record>,
    /// Entries that were not understood (empty ids, fix versions of `0` are not counted).
    pub skipped: usize,
}

/// Reads a secdb document, JSON or YAML (detected by its first non-blank character).
pub fn read_secdb(bytes: &[u8]) -> Result<SecdbLoad, SecdbError> {
    if bytes.len() > MAX_SECDB_BYTES {
        return Err(SecdbError::TooLarge(bytes.len()));
    }
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let document: Document = if first == Some(b'{') {
        serde_json::from_slice(bytes)?
    } else {
        let text = std::str::from_utf8(bytes).map_err(|e| SecdbError::Yaml(e.to_string()))?;
        serde_saphyr::from_str(text).map_err(|e| SecdbError::Yaml(e.to_string()))?
    };
    convert(document)
}

fn convert(document: Document) -> Result<SecdbLoad, SecdbError> {
    let branch = document.distroversion.trim().to_string();
    let valid_branch = branch.starts_with('v')
        || branch == "edge"
        || branch.chars().next().is_some_and(|c| c.is_ascii_digit());
    if !valid_branch || branch.len() > 32 {
        return Err(SecdbError::NoBranch(branch));
    }
    let branch = if branch.starts_with('v') || branch == "edge" {
        branch
    } else {
        format!("v{branch}")
    };
    let ecosystem = format!("Alpine:{branch}");
    let mut skipped = 0;
    let mut by_id: HashMap<String, Fixes> = HashMap::new();
    for entry in document.packages {
        let name = entry.pkg.name.trim().to_string();
        if name.is_empty() {
            skipped += 1;
            continue;
        }
        for (fixed, ids) in entry.pkg.secfixes.unwrap_or_default() {
            let fixed = fixed.trim().to_string();
            for line in ids.unwrap_or_default() {
                let mut words = line
                    .split_whitespace()
                    .map(|w| w.trim_matches(|c: char| c == '(' || c == ')' || c == ','))
                    .filter(|w| looks_like_id(w));
                let Some(id) = words.next() else {
                    skipped += 1;
                    continue;
                };
                if fixed == "0" {
                    // Never affected in this branch.
                    continue;
                }
                let slot = by_id.entry(id.to_string()).or_default();
                for alias in words {
                    if !slot.0.iter().any(|a| a == alias) {
                        slot.0.push(alias.to_string());
                    }
                }
                slot.1.entry(name.clone()).or_default().push(fixed.clone());
            }
        }
    }
    let mut records: Vec<Record> = by_id
        .into_iter()
        .map(|(id, (aliases, packages))| Record {
            id,
            modified: None,
            published: None,
            withdrawn: None,
            aliases,
            summary: None,
            details: None,
            severity: Vec::new(),
            affected: packages
                .into_iter()
                .map(|(name, fixes)| Affected {
                    package: Some(AffectedPackage {
                        ecosystem: ecosystem.clone(),
                        name,
                        purl: None,
                    }),
                    ranges: vec![Range {
                        kind: RangeKind::Ecosystem,
                        events: std::iter::once(Event {
                            introduced: Some("0".into()),
                            ..Event::default()
                        })
                        .chain(fixes.into_iter().map(|f| Event {
                            fixed: Some(f),
                            ..Event::default()
                        }))
                        .collect(),
                    }],
                    versions: Vec::new(),
                    distro: None,
                })
                .collect(),
        })
        .collect();
    records.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(SecdbLoad {
        branch,
        records,
        skipped,
    })
}

/// `CVE-2019-1234`, `XSA-123`, `GHSA-xxxx`, `ZBX-1`...: an upper-case prefix, a dash, more.
fn looks_like_id(word: &str) -> bool {
    let Some((prefix, rest)) = word.split_once('-') else {
        return false;
    };
    !prefix.is_empty()
        && prefix
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && !rest.is_empty()
        && word.len() <= 64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_real_v3_11_main_branch() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/alpine-secdb/v3.11/main.yaml"
        ))
        .unwrap();
        let load = read_secdb(&bytes).unwrap();
        assert_eq!(load.branch, "v3.11");
        assert!(load.records.len() > 1000, "{}", load.records.len());
        let record = load
            .records
            .iter()
            .find(|r| r.id == "CVE-2019-14904")
            .unwrap();
        let affected = &record.affected[0];
        assert_eq!(affected.package.as_ref().unwrap().name, "ansible");
        assert_eq!(affected.package.as_ref().unwrap().ecosystem, "Alpine:v3.11");
        assert_eq!(
            affected.ranges[0].events[1].fixed.as_deref(),
            Some("2.9.3-r0")
        );
        // `CVE-2017-12122 TALOS-2017-0488`: the TALOS id is an alias.
        let talos = load
            .records
            .iter()
            .find(|r| r.id == "CVE-2017-12122")
            .unwrap();
        assert_eq!(talos.aliases, vec!["TALOS-2017-0488".to_string()]);
    }

    #[test]
    fn json_shape_and_never_affected_fixes() {
        let json = br#"{"distroversion":"v3.19","reponame":"main","packages":[
            {"pkg":{"name":"openssl","secfixes":{"3.1.4-r1":["CVE-2023-5678"],"0":["CVE-2022-0001"]}}}]}"#;
        let load = read_secdb(json).unwrap();
        assert_eq!(load.records.len(), 1);
        assert_eq!(load.records[0].id, "CVE-2023-5678");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_secdb(b"{").is_err());
        assert!(read_secdb(b"distroversion: [").is_err());
        assert!(read_secdb(b"{\"distroversion\":\"../x\",\"packages\":[]}").is_err());
    }
}
