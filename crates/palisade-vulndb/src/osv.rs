//! The OSV schema (https://ossf.github.io/osv-schema/): the subset the matcher reads.
//! Unknown fields are ignored, so newer schema versions still load.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub modified: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub published: Option<String>,
    /// Withdrawn records are kept in feeds but never match.
    #[serde(default, skip_serializing_if = "is_default")]
    pub withdrawn: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub details: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub severity: Vec<Severity>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub affected: Vec<Affected>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Severity {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    #[serde(default, skip_serializing_if = "is_default")]
    pub package: Option<AffectedPackage>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub ranges: Vec<Range>,
    /// Explicitly enumerated affected versions.
    #[serde(default, skip_serializing_if = "is_default")]
    pub versions: Vec<String>,
    /// What the distribution decided (not part of OSV: set by distribution feeds such as the
    /// Debian security tracker, kept in our store).
    #[serde(default, skip_serializing_if = "is_default")]
    pub distro: Option<DistroVerdict>,
}

/// A distribution's own verdict on one vulnerability in one of its packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistroVerdict {
    /// Who says so: `debian`, `alpine`...
    pub source: String,
    pub status: palisade_model::FixStatus,
    /// The distribution's own rating, when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<palisade_model::Severity>,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedPackage {
    pub ecosystem: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "is_default")]
    pub purl: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: RangeKind,
    #[serde(default, skip_serializing_if = "is_default")]
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RangeKind {
    /// Versions of the ecosystem's own scheme.
    Ecosystem,
    /// SemVer 2.0 versions, whatever the ecosystem.
    Semver,
    /// Commit hashes: cannot be compared with package versions, so never matched.
    Git,
    #[serde(other)]
    Unknown,
}

/// One event; exactly one field is set in a valid record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    #[serde(default, skip_serializing_if = "is_default")]
    pub introduced: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub fixed: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub last_affected: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub limit: Option<String>,
}
