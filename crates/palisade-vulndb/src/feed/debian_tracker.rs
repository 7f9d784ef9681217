//! The Debian security tracker's JSON export
//! (`https://security-tracker.debian.org/tracker/data/json`): for every source package, every
//! CVE, and per release (`bookworm`, ...) its status, fixed version, urgency and, when Debian
//! will not issue an advisory, why.
//!
//! Shape: `{ "<source>": { "<CVE>": { "description": ..., "releases": { "<codename>": {
//! "status": "resolved"|"open"|"undetermined", "fixed_version": ..., "urgency": ...,
//! "nodsa": ..., "nodsa_reason": "ignored"|"postponed"|..., "repositories": {...} } } } } }`.
//!
//! Mapping (ours, written down so it can be argued with):
//! - `resolved` with a fixed version: affected below that source version, status `fixed`;
//!   a fixed version of `0` means the release never shipped the flaw: no advisory.
//! - `open` / `undetermined`: every version affected; status `will_not_fix` when the urgency
//!   is `unimportant` or `end-of-life` or `nodsa_reason` is `ignored`, `fix_deferred` when it
//!   is `postponed`, else `affected`.
//! - urgency `low`/`medium`/`high` (a trailing `*` marks a guess and is dropped) is Debian's
//!   rating; `unimportant` rates Low; `not yet assigned` is no rating.
//!
//! Records use the OSV ecosystem `Debian:<version>` (`Debian:12`) and the source package name,
//! so Debian packages match by source package and release, never by upstream version.

use std::collections::HashMap;

use palisade_model::{FixStatus, Severity};
use serde::Deserialize;

use crate::osv::{Affected, AffectedPackage, DistroVerdict, Event, Range, RangeKind, Record};

/// The real export is about 70 MB; anything far bigger is refused.
pub const MAX_TRACKER_BYTES: usize = 1024 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum TrackerError {
    #[error("the tracker export is {0} bytes, more than the {MAX_TRACKER_BYTES} accepted")]
    TooLarge(usize),
    #[error("not a Debian security tracker export: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Debug, Deserialize)]
struct CveEntry {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    releases: HashMap<String, ReleaseEntry>,
}

#[derive(Debug, Deserialize)]
struct ReleaseEntry {
    #[serde(default)]
    status: String,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    nodsa_reason: Option<String>,
}

#[derive(Debug, Default)]
pub struct TrackerLoad {
    pub records: Vec<Record>,
    /// Entries that could not be read (malformed, unknown release), counted, not fatal.
    pub skipped: usize,
}

/// Debian's release codenames and their numbers (`sid` and unknown codenames are skipped:
/// images name their release by number in os-release).
pub fn release_number(codename: &str) -> Option<&'static str> {
    Some(match codename {
        "buster" => "10",
        "bullseye" => "11",
        "bookworm" => "12",
        "trixie" => "13",
        "forky" => "14",
        "stretch" => "9",
        "jessie" => "8",
        _ => return None,
    })
}

pub fn read_tracker(bytes: &[u8]) -> Result<TrackerLoad, TrackerError> {
    if bytes.len() > MAX_TRACKER_BYTES {
        return Err(TrackerError::TooLarge(bytes.len()));
    }
    let packages: HashMap<String, HashMap<String, serde_json::Value>> =
        serde_json::from_slice(bytes)?;
    let mut load = TrackerLoad::default();
    // One record per CVE, with an affected entry per (source package, release).
    let mut by_id: HashMap<String, Record> = HashMap::new();
    for (source, cves) in packages {
        for (id, value) in cves {
            let entry: CveEntry = match serde_json::from_value(value) {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!("debian tracker: skipping {source}/{id}: {e}");
                    load.skipped += 1;
                    continue;
                }
            };
            // Tracker-internal placeholders (`TEMP-0000000-...`) are real ids users see too.
            if id.is_empty() || id.len() > 64 {
                load.skipped += 1;
                continue;
            }
            for (codename, release) in entry.releases {
                let Some(number) = release_number(&codename) else {
                    continue;
                };
                let Some(affected) = affected_entry(&source, number, &release) else {
                    continue;
                };
                let record = by_id.entry(id.clone()).or_insert_with(|| Record {
                    id: id.clone(),
                    modified: None,
                    published: None,
                    withdrawn: None,
                    aliases: Vec::new(),
                    summary: entry
                        .description
                        .as_deref()
                        .map(|d| d.chars().take(200).collect()),
                    details: None,
                    severity: Vec::new(),
                    affected: Vec::new(),
                });
                record.affected.push(affected);
            }
        }
    }
    load.records = by_id.into_values().collect();
    load.records.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(load)
}

fn affected_entry(source: &str, release: &str, entry: &ReleaseEntry) -> Option<Affected> {
    let urgency = entry
        .urgency
        .as_deref()
        .map(|u| u.trim_end_matches('*').trim())
        .unwrap_or("");
    let severity = match urgency {
        "unimportant" | "low" => Some(Severity::Low),
        "medium" => Some(Severity::Medium),
        "high" => Some(Severity::High),
        _ => None,
    };
    let (events, status) = match entry.status.as_str() {
        "resolved" => {
            let fixed = entry.fixed_version.as_deref()?.trim();
            if fixed.is_empty() || fixed == "0" {
                return None;
            }
            (
                vec![
                    Event {
                        introduced: Some("0".into()),
                        ..Event::default()
                    },
                    Event {
                        fixed: Some(fixed.to_string()),
                        ..Event::default()
                    },
                ],
                FixStatus::Fixed,
            )
        }
        "open" | "undetermined" => {
            let status = match (urgency, entry.nodsa_reason.as_deref()) {
                (_, Some("ignored")) | ("unimportant" | "end-of-life", _) => FixStatus::WillNotFix,
                (_, Some("postponed")) => FixStatus::FixDeferred,
                _ => FixStatus::Affected,
            };
            (
                vec![Event {
                    introduced: Some("0".into()),
                    ..Event::default()
                }],
                status,
            )
        }
        _ => return None,
    };
    Some(Affected {
        package: Some(AffectedPackage {
            ecosystem: format!("Debian:{release}"),
            name: source.to_string(),
            purl: None,
        }),
        ranges: vec![Range {
            kind: RangeKind::Ecosystem,
            events,
        }],
        versions: Vec::new(),
        distro: Some(DistroVerdict {
            source: "debian".into(),
            status,
            severity,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
      "tar": {"CVE-2005-2541": {"description": "Tar 1.15.1 does not properly warn the user when extracting setuid or setgid files",
        "scope": "local",
        "releases": {"bookworm": {"status": "open", "repositories": {"bookworm": "1.34+dfsg-1.2+deb12u1"}, "urgency": "unimportant"}}}},
      "openssl": {"CVE-2023-5678": {"releases": {
        "bookworm": {"status": "resolved", "repositories": {"bookworm": "3.0.15-1~deb12u1"}, "fixed_version": "3.0.13-1~deb12u1", "urgency": "not yet assigned"},
        "sid": {"status": "resolved", "fixed_version": "3.1.4-2", "urgency": "not yet assigned"}}},
        "CVE-2010-0928": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "0", "urgency": "unimportant"}}}},
      "curl": {"CVE-2024-2379": {"releases": {"bookworm": {"status": "open", "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "postponed"}}}},
      "broken": {"CVE-2024-0001": {"releases": 7}}
    }"#;

    #[test]
    fn maps_status_fix_and_urgency() {
        let load = read_tracker(SAMPLE.as_bytes()).unwrap();
        assert_eq!(load.skipped, 1);
        let find = |id: &str| load.records.iter().find(|r| r.id == id).unwrap();
        let tar = &find("CVE-2005-2541").affected[0];
        assert_eq!(tar.package.as_ref().unwrap().ecosystem, "Debian:12");
        let verdict = tar.distro.as_ref().unwrap();
        assert_eq!(verdict.status, FixStatus::WillNotFix);
        assert_eq!(verdict.severity, Some(Severity::Low));
        let openssl = find("CVE-2023-5678");
        assert_eq!(openssl.affected.len(), 1, "sid is not a numbered release");
        assert_eq!(
            openssl.affected[0].ranges[0].events[1].fixed.as_deref(),
            Some("3.0.13-1~deb12u1")
        );
        assert!(
            !load.records.iter().any(|r| r.id == "CVE-2010-0928"),
            "fixed version 0 means never affected"
        );
        let curl = &find("CVE-2024-2379").affected[0];
        assert_eq!(curl.distro.as_ref().unwrap().status, FixStatus::FixDeferred);
    }

    #[test]
    fn not_json_is_an_error() {
        assert!(read_tracker(b"[1,2").is_err());
        assert!(read_tracker(b"[]").is_err());
    }
}
