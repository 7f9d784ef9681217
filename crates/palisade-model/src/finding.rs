use serde::{Deserialize, Serialize};

use crate::{Ecosystem, Location};

/// One vulnerability in one installed package. Advisories that name the same vulnerability
/// (a CVE and its GHSA, PYSEC, GO aliases) are merged into one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The preferred identifier: the CVE when there is one, else the advisory's own id.
    pub id: String,
    /// Every other identifier of the same vulnerability, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub summary: Option<String>,
    pub severity: crate::Severity,
    /// The CVSS vector and base score the severity comes from, when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cvss: Option<Cvss>,
    pub package: String,
    pub version: String,
    pub ecosystem: Ecosystem,
    pub purl: String,
    /// The lowest version that fixes it, when the advisory names one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fixed_version: Option<String>,
    pub locations: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub introduced_by: Option<String>,
    /// Present when CISA lists the vulnerability as exploited in the wild.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kev: Option<KevInfo>,
    /// FIRST's Exploit Prediction Scoring System: the chance of exploitation in 30 days.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub epss: Option<Epss>,
    /// Whether a fix exists, and for OS packages what the distribution decided.
    #[serde(default)]
    pub status: FixStatus,
    /// Who rated the severity: the distribution (`debian`, `alpine`...), `nvd`, or the advisory
    /// itself (`advisory`); absent when nobody did.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub severity_source: Option<String>,
    /// CWE ids (`CWE-79`) of the weakness, from NVD.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cwes: Vec<String>,
}

/// Whether a vulnerability can be fixed by upgrading the package, as its publisher says.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FixStatus {
    /// A released version fixes it (`fixed_version`).
    Fixed,
    /// Affected and no fix released yet.
    #[default]
    Affected,
    /// The distribution postponed the fix (Debian `postponed`).
    FixDeferred,
    /// The distribution decided not to fix it (Debian `ignored`, `unimportant`, end of life).
    WillNotFix,
}

impl FixStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fixed => "fixed",
            Self::Affected => "affected",
            Self::FixDeferred => "fix_deferred",
            Self::WillNotFix => "will_not_fix",
        }
    }
}

impl std::fmt::Display for FixStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An EPSS score and its percentile among all scored CVEs (both 0..=1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    pub score: f64,
    pub percentile: f64,
    /// The day the score was computed (`2026-11-23`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub date: Option<String>,
}

impl Eq for Epss {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    pub vector: String,
    pub score: f64,
}

impl Eq for Cvss {}

/// A CISA Known Exploited Vulnerabilities entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevInfo {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub date_added: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub due_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub required_action: Option<String>,
    pub known_ransomware_campaign_use: bool,
}

/// The result of `palisade image scan`: what was scanned, against which data, what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanReport {
    pub source: String,
    pub artifact: crate::Artifact,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub os: Option<crate::OsInfo>,
    /// The advisory data the scan used.
    pub databases: Vec<DatabaseInfo>,
    /// Packages looked at (all of them, vulnerable or not).
    pub packages_scanned: usize,
    pub findings: Vec<Finding>,
    /// Findings left out by a `.palisadeignore` line or a VEX statement, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub suppressed: Vec<SuppressedFinding>,
    /// Per vulnerable package: the upgrade that fixes the most findings.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub remediations: Vec<Remediation>,
}

/// "Upgrade `package` from `version` to `upgrade_to`: fixes `fixes` findings."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    pub package: String,
    pub version: String,
    pub ecosystem: Ecosystem,
    /// The lowest version that fixes every fixable finding of the package.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub upgrade_to: Option<String>,
    pub fixes: usize,
    /// Findings no released version fixes yet.
    pub unfixed: usize,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub introduced_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressedFinding {
    pub finding: Finding,
    pub suppression: Suppression,
}

/// Why a finding was suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// The file it came from.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// VEX status (`not_affected`, `fixed`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<String>,
    /// VEX justification (`vulnerable_code_not_in_execute_path`, ...).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub justification: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    /// Where it was read from.
    pub source: String,
    /// sha256 of the file as read.
    pub digest: String,
    pub records: usize,
    /// Records skipped as malformed or unsafe.
    pub skipped: usize,
}
