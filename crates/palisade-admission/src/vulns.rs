//! The image vulnerability gate: scan reports (`palisade image scan -f json`) read from a
//! directory once at start, indexed by image digest (the report's manifest digest and its
//! repo digests), and conditions on their findings.
//!
//! An image is looked up by the digest in its reference (`name@sha256:...`); an image
//! referenced by tag only, or whose digest has no report, is "unscanned" and gets the
//! policy's `unscanned` action.

use std::collections::HashMap;
use std::path::Path;

use palisade_model::{FixStatus, ScanReport, Severity};

/// Largest report read.
const MAX_REPORT: u64 = 64 << 20;

/// What makes a finding a violation (any condition that is set).
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// At or above this severity.
    pub min_severity: Option<Severity>,
    /// These CVE (or advisory) ids, matched against the id and its aliases.
    pub ids: Vec<String>,
    /// Listed in CISA KEV.
    pub kev: bool,
    /// At or above this CVSS base score.
    pub min_cvss: Option<f64>,
    /// Count only findings a released version fixes.
    pub fixable_only: bool,
}

/// What happens to an image without a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unscanned {
    Allow,
    Warn,
    Deny,
}

/// An accepted vulnerability, digest or repository, with a reason and an optional expiry
/// (`YYYY-MM-DD`, inclusive).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Exemption {
    #[serde(default)]
    pub cve: Option<String>,
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub repository: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub expires: Option<String>,
}

/// One compiled gate.
#[derive(Debug, Clone)]
pub struct Gate {
    /// digest → (report name, findings).
    reports: HashMap<String, std::sync::Arc<ScanReport>>,
    pub conditions: Conditions,
    pub unscanned: Unscanned,
    pub exemptions: Vec<Exemption>,
}

/// One violation for one image.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The finding id, or `unscanned`.
    pub id: String,
    pub severity: Severity,
    pub message: String,
    /// `unscanned` with action warn: never denies.
    pub warn_only: bool,
}

pub fn parse_severity(s: &str) -> Result<Severity, String> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" => Severity::Medium,
        "low" => Severity::Low,
        "unknown" => Severity::Unknown,
        _ => {
            return Err(format!(
                "severity {s:?} (critical, high, medium, low, unknown)"
            ))
        }
    })
}

impl Gate {
    /// Reads every `*.json` report in `dir`.
    pub fn load(
        dir: &Path,
        conditions: Conditions,
        unscanned: Unscanned,
        exemptions: Vec<Exemption>,
    ) -> Result<Self, Vec<String>> {
        let mut problems = Vec::new();
        let mut reports = HashMap::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => return Err(vec![format!("reports {}: {e}", dir.display())]),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let name = path.display().to_string();
            match std::fs::metadata(&path) {
                Ok(m) if m.len() > MAX_REPORT => {
                    problems.push(format!("{name}: larger than {MAX_REPORT} bytes"));
                    continue;
                }
                Err(e) => {
                    problems.push(format!("{name}: {e}"));
                    continue;
                }
                _ => {}
            }
            let report: ScanReport = match std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
            {
                Ok(r) => r,
                Err(e) => {
                    problems.push(format!("{name}: not a scan report: {e}"));
                    continue;
                }
            };
            let report = std::sync::Arc::new(report);
            let mut digests: Vec<String> =
                report.artifact.manifest_digest.iter().cloned().collect();
            digests.extend(
                report
                    .artifact
                    .repo_digests
                    .iter()
                    .filter_map(|r| r.split_once('@').map(|(_, d)| d.to_owned())),
            );
            if digests.is_empty() {
                problems.push(format!(
                    "{name}: the report names no image digest (scan the image from a registry or OCI layout)"
                ));
            }
            for d in digests {
                reports.insert(d, report.clone());
            }
        }
        for e in &exemptions {
            if e.cve.is_none() && e.digest.is_none() && e.repository.is_none() {
                problems.push("exemption without cve, digest or repository".into());
            }
            if let Some(x) = &e.expires {
                if !valid_date(x) {
                    problems.push(format!("exemption expiry {x:?} is not YYYY-MM-DD"));
                }
            }
        }
        if problems.is_empty() {
            Ok(Self {
                reports,
                conditions,
                unscanned,
                exemptions,
            })
        } else {
            Err(problems)
        }
    }

    pub fn reports(&self) -> usize {
        self.reports.len()
    }

    /// The violations of one image reference, as of `today` (`YYYY-MM-DD`).
    pub fn check(&self, image: &str, today: &str) -> Vec<Violation> {
        let (repository, digest) = match image.split_once('@') {
            Some((r, d)) => (strip_tag(r), Some(d)),
            None => (strip_tag(image), None),
        };
        let live: Vec<&Exemption> = self
            .exemptions
            .iter()
            .filter(|e| e.expires.as_deref().is_none_or(|x| x >= today))
            .collect();
        if live.iter().any(|e| {
            e.cve.is_none()
                && (e.digest.as_deref().is_some_and(|d| Some(d) == digest)
                    || e.repository.as_deref().is_some_and(|r| r == repository))
        }) {
            return Vec::new();
        }
        let report = digest.and_then(|d| self.reports.get(d));
        let Some(report) = report else {
            return match self.unscanned {
                Unscanned::Allow => Vec::new(),
                action => vec![Violation {
                    id: "unscanned".into(),
                    severity: Severity::Unknown,
                    message: format!(
                        "image {image:?} has no scan report{}",
                        if digest.is_none() {
                            " (not pinned by digest)"
                        } else {
                            ""
                        }
                    ),
                    warn_only: action == Unscanned::Warn,
                }],
            };
        };
        let c = &self.conditions;
        let mut out = Vec::new();
        for f in &report.findings {
            if c.fixable_only && f.status != FixStatus::Fixed {
                continue;
            }
            let named = c
                .ids
                .iter()
                .any(|id| id == &f.id || f.aliases.iter().any(|a| a == id));
            let hit = named
                || c.min_severity.is_some_and(|s| f.severity >= s)
                || (c.kev && f.kev.is_some())
                || c.min_cvss
                    .is_some_and(|m| f.cvss.as_ref().is_some_and(|v| v.score >= m));
            if !hit {
                continue;
            }
            let exempt = live.iter().any(|e| {
                e.cve
                    .as_deref()
                    .is_some_and(|x| x == f.id || f.aliases.iter().any(|a| a == x))
                    && e.digest.as_deref().is_none_or(|d| Some(d) == digest)
                    && e.repository.as_deref().is_none_or(|r| r == repository)
            });
            if exempt {
                continue;
            }
            out.push(Violation {
                id: f.id.clone(),
                severity: f.severity,
                message: format!(
                    "{} ({:?}{}) in {} {}{}",
                    f.id,
                    f.severity,
                    if f.kev.is_some() {
                        ", known exploited"
                    } else {
                        ""
                    },
                    f.package,
                    f.version,
                    f.fixed_version
                        .as_deref()
                        .map(|v| format!(", fixed in {v}"))
                        .unwrap_or_default()
                ),
                warn_only: false,
            });
        }
        out
    }
}

fn strip_tag(name: &str) -> &str {
    let slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    match name[slash..].rfind(':') {
        Some(i) => &name[..slash + i],
        None => name,
    }
}

fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}
