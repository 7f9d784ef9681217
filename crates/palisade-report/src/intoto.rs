//! Signed scan reports: an in-toto Statement v1 (https://github.com/in-toto/attestation,
//! `spec/v1/statement.md`) about the scanned image, with the vulnerability predicate
//! `https://in-toto.io/attestation/vulns/v0.2` (`spec/predicates/vulns_02.md`), in a DSSE
//! envelope (`dsse.rs`).
//!
//! The predicate's own fields carry what the format defines: the scanner (uri, version), the
//! advisory data (`db`: a digest over every database file the scan read, and when it was last
//! updated), one `result` entry per finding (id, severity by method, and the finding's other
//! fields as an annotation) and the scan's start and end. In-toto consumers ignore fields they
//! do not know, so the predicate also carries the whole Palisade report as `palisadeReport`,
//! which `palisade report verify -f json` prints.

use std::collections::BTreeMap;

use palisade_model::{Finding, ScanReport};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::dsse::{DsseError, Envelope};
use crate::keys::{PrivateKey, PublicKey};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const VULNS_PREDICATE_TYPE: &str = "https://in-toto.io/attestation/vulns/v0.2";
/// The DSSE payload type of an in-toto statement.
pub const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub statement_type: String,
    pub subject: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: VulnsPredicate,
}

/// An artifact the statement is about: a name and its digests (algorithm → lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// SHOULD be set (in-toto v1); tolerated when missing from statements made elsewhere.
    #[serde(default)]
    pub name: String,
    pub digest: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnsPredicate {
    pub scanner: Scanner,
    pub metadata: ScanMetadata,
    /// The complete Palisade report (an extension; in-toto consumers ignore unknown fields).
    #[serde(
        rename = "palisadeReport",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub report: Option<ScanReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scanner {
    pub uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db: Option<ScannerDb>,
    pub result: Vec<VulnResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScannerDb {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub last_update: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnResult {
    pub id: String,
    pub severity: Vec<SeverityScore>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityScore {
    pub method: String,
    pub score: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanMetadata {
    pub scan_started_on: String,
    pub scan_finished_on: String,
}

/// What a signed report needs besides the scan report; passed in so output is reproducible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationContext {
    /// RFC 3339 timestamps in UTC.
    pub scan_started_on: String,
    pub scan_finished_on: String,
    /// When the advisory data was last updated (RFC 3339); `scan_started_on` when unknown.
    pub db_last_update: Option<String>,
    pub tool_version: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AttestationError {
    #[error("cannot sign a report on {0}: it has no image digest to name as the subject (sign image scans, not directories)")]
    NoDigest(String),
    #[error("the image digest {0:?} is not a sha256 digest")]
    BadDigest(String),
    #[error("encoding the statement: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Envelope(#[from] DsseError),
    #[error("the signed payload is not an in-toto statement: {0}")]
    NotAStatement(String),
    #[error("the statement is not what a Palisade report is: {0}")]
    Shape(String),
}

impl AttestationError {
    /// True when the input could not be read as an envelope at all (exit 2 rather than 1).
    pub fn is_unreadable(&self) -> bool {
        matches!(self, Self::Envelope(e) if e.is_malformed())
    }
}

/// The image the report is about: its image id (config digest, the same for every form of the
/// image) or, failing that, its manifest digest.
fn subject(report: &ScanReport) -> Result<Subject, AttestationError> {
    let a = &report.artifact;
    let digest = a
        .config_digest
        .as_deref()
        .or(a.manifest_digest.as_deref())
        .ok_or_else(|| AttestationError::NoDigest(report.source.clone()))?;
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|h| is_sha256_hex(h))
        .ok_or_else(|| AttestationError::BadDigest(digest.to_string()))?;
    Ok(Subject {
        name: a.name.clone(),
        digest: BTreeMap::from([("sha256".to_string(), hex.to_string())]),
    })
}

fn is_sha256_hex(h: &str) -> bool {
    h.len() == 64
        && h.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `db.version`: the one database's digest, or a sha256 over the sorted digests of all of them
/// (each is listed in the report).
fn scanner_db(report: &ScanReport, ctx: &AttestationContext) -> ScannerDb {
    let version = match report.databases.as_slice() {
        [] => None,
        [only] => Some(only.digest.clone()),
        many => {
            let mut digests: Vec<&str> = many.iter().map(|d| d.digest.as_str()).collect();
            digests.sort_unstable();
            Some(format!(
                "sha256:{}",
                hex::encode(Sha256::digest(digests.join("\n")))
            ))
        }
    };
    let uri = match report.databases.as_slice() {
        [only] => Some(only.source.clone()),
        _ => None,
    };
    ScannerDb {
        uri,
        version,
        last_update: ctx
            .db_last_update
            .clone()
            .unwrap_or_else(|| ctx.scan_started_on.clone()),
    }
}

/// One `result` entry: the id, the severity by each method there is (Palisade's rating; the
/// CVSS base score), and every other field of the finding as an annotation, so fields added to
/// `Finding` later appear without a change here.
fn result(finding: &Finding) -> VulnResult {
    let mut severity = vec![SeverityScore {
        method: "palisade".into(),
        score: finding.severity.to_string().to_ascii_lowercase(),
    }];
    if let Some(cvss) = &finding.cvss {
        let method = if cvss.vector.starts_with("CVSS:4") {
            "cvss_v4_score"
        } else if cvss.vector.starts_with("CVSS:3") {
            "cvss_v3_score"
        } else {
            "cvss_score"
        };
        severity.push(SeverityScore {
            method: method.into(),
            score: format!("{:.1}", cvss.score),
        });
    }
    let annotations = match serde_json::to_value(finding) {
        Ok(serde_json::Value::Object(mut map)) => {
            map.remove("id");
            map.remove("severity");
            vec![map]
        }
        _ => Vec::new(),
    };
    VulnResult {
        id: finding.id.clone(),
        severity,
        annotations,
    }
}

/// The in-toto statement for `report`.
pub fn statement(
    report: &ScanReport,
    ctx: &AttestationContext,
) -> Result<Statement, AttestationError> {
    Ok(Statement {
        statement_type: STATEMENT_TYPE.into(),
        subject: vec![subject(report)?],
        predicate_type: VULNS_PREDICATE_TYPE.into(),
        predicate: VulnsPredicate {
            scanner: Scanner {
                uri: format!("pkg:generic/palisade@{}", ctx.tool_version),
                version: Some(ctx.tool_version.clone()),
                db: Some(scanner_db(report, ctx)),
                result: report.findings.iter().map(result).collect(),
            },
            metadata: ScanMetadata {
                scan_started_on: ctx.scan_started_on.clone(),
                scan_finished_on: ctx.scan_finished_on.clone(),
            },
            report: Some(report.clone()),
        },
    })
}

/// Signs `report`: the DSSE envelope (as JSON bytes) of its in-toto statement.
pub fn sign_report(
    report: &ScanReport,
    ctx: &AttestationContext,
    key: &PrivateKey,
) -> Result<Vec<u8>, AttestationError> {
    let payload = serde_json::to_vec(&statement(report, ctx)?)?;
    Ok(Envelope::sign(INTOTO_PAYLOAD_TYPE, &payload, key).to_json()?)
}

/// A signed report whose signature, payload type and statement shape have been checked.
#[derive(Debug, Clone)]
pub struct VerifiedReport {
    /// The key id that signed it.
    pub key_id: String,
    pub statement: Statement,
}

/// Checks a DSSE envelope (JSON bytes) against `key`: the signature, the payload type, and the
/// statement's shape (Statement v1, the vulns v0.2 predicate, a sha256 subject, timestamps,
/// result entries that agree with the embedded report).
pub fn verify_report(bytes: &[u8], key: &PublicKey) -> Result<VerifiedReport, AttestationError> {
    let envelope = Envelope::parse(bytes)?;
    let payload = envelope.verify(key, INTOTO_PAYLOAD_TYPE)?;
    let statement = parse_statement(&payload)?;
    Ok(VerifiedReport {
        key_id: key.key_id(),
        statement,
    })
}

/// Parses and checks a statement (the payload of a verified envelope; also fuzzed on its own).
pub fn parse_statement(payload: &[u8]) -> Result<Statement, AttestationError> {
    // A first look without the typed predicate, so a wrong `_type` or `predicateType` is named
    // as such instead of as a missing field.
    #[derive(Deserialize)]
    struct Head {
        #[serde(rename = "_type")]
        statement_type: String,
        #[serde(rename = "predicateType")]
        predicate_type: String,
    }
    let head: Head = serde_json::from_slice(payload)
        .map_err(|e| AttestationError::NotAStatement(e.to_string()))?;
    if head.statement_type != STATEMENT_TYPE {
        return Err(AttestationError::Shape(format!(
            "_type is {:?}, expected {STATEMENT_TYPE:?}",
            clip(&head.statement_type)
        )));
    }
    if head.predicate_type != VULNS_PREDICATE_TYPE {
        return Err(AttestationError::Shape(format!(
            "predicateType is {:?}, expected {VULNS_PREDICATE_TYPE:?}",
            clip(&head.predicate_type)
        )));
    }
    let statement: Statement =
        serde_json::from_slice(payload).map_err(|e| AttestationError::Shape(e.to_string()))?;
    check_shape(&statement)?;
    Ok(statement)
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

fn check_shape(s: &Statement) -> Result<(), AttestationError> {
    let shape = |m: String| Err(AttestationError::Shape(m));
    if s.subject.is_empty() {
        return shape("no subject".into());
    }
    for subject in &s.subject {
        if subject.digest.is_empty() {
            return shape(format!("subject {:?} has no digest", clip(&subject.name)));
        }
        if let Some(hex) = subject.digest.get("sha256") {
            if !is_sha256_hex(hex) {
                return shape(format!(
                    "subject {:?}: sha256 {:?} is not 64 lower-case hex digits",
                    clip(&subject.name),
                    clip(hex)
                ));
            }
        }
    }
    let p = &s.predicate;
    if p.scanner.uri.is_empty() {
        return shape("scanner.uri is empty".into());
    }
    if p.metadata.scan_started_on.is_empty() || p.metadata.scan_finished_on.is_empty() {
        return shape("metadata.scanStartedOn and scanFinishedOn are required".into());
    }
    if let Some(db) = &p.scanner.db {
        if db.last_update.is_empty() {
            return shape("scanner.db.lastUpdate is empty".into());
        }
    }
    for r in &p.scanner.result {
        if r.id.is_empty() || r.severity.is_empty() {
            return shape("a result entry has no id or no severity".into());
        }
    }
    if let Some(report) = &p.report {
        let ids: Vec<&str> = p.scanner.result.iter().map(|r| r.id.as_str()).collect();
        let report_ids: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
        if ids != report_ids {
            return shape(format!(
                "scanner.result lists {} findings, the embedded report {} (or in another order)",
                ids.len(),
                report_ids.len()
            ));
        }
    }
    Ok(())
}
