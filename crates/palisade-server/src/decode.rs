//! Ingest decoders, pure: the CLI's own documents (bytes, as received) → values the store
//! writes. Alerts as JSON lines (`audit analyze`, `sensor run`), scan reports (`image scan -f
//! json`), posture results (`posture scan -f json`). Every problem is an error naming it (and
//! the line, for JSON lines); nothing here panics or allocates beyond the input's size.

use palisade_model::{ScanReport, Severity};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Longest alert id, rule name, resource, … accepted (bytes).
const MAX_FIELD: usize = 4096;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("{0}")]
    Document(String),
    #[error("too many alerts in one batch: more than {0} lines")]
    TooManyLines(usize),
}

/// Where an alert came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertSource {
    /// `palisade audit analyze` / `audit serve` (Kubernetes audit log).
    Audit,
    /// `palisade sensor run` (a node).
    Node,
}

impl AlertSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Audit => "audit",
            Self::Node => "node",
        }
    }
}

/// One alert document, normalised for the store.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestAlert {
    pub source: AlertSource,
    /// Occurrence key: stable for the same document (source, cluster or node, the alert's id).
    pub key: String,
    /// Group key: the same rule on the same resource.
    pub group: String,
    pub doc_id: String,
    pub rule_id: Option<String>,
    pub rule: String,
    pub severity: Severity,
    /// Normalised RFC 3339 UTC, microseconds.
    pub time: String,
    pub last_seen: String,
    /// Hits this document stands for (the producer's own de-duplication count, at least 1).
    pub hits: i64,
    pub cluster: Option<String>,
    pub node: Option<String>,
    pub namespace: Option<String>,
    /// The resource, for display: `pods/default/web`, `/api/v1/nodes/x/proxy`, `container web (abc…)`.
    pub resource: String,
    pub image: Option<String>,
    pub message: String,
    pub tactics: Vec<String>,
    pub techniques: Vec<String>,
    /// Node alerts: the process's name and the container's name (suppression rules match them).
    pub process_name: Option<String>,
    pub container_name: Option<String>,
    /// The line as received.
    pub document: String,
}

/// The fields of both alert shapes (audit `Alert`, sensor `NodeAlert`) the server reads.
#[derive(Deserialize)]
struct WireAlert {
    id: String,
    #[serde(default)]
    rule_id: Option<String>,
    rule: String,
    severity: Severity,
    #[serde(default)]
    time: String,
    #[serde(default)]
    last_seen: Option<String>,
    #[serde(default)]
    count: Option<u64>,
    #[serde(default)]
    cluster: Option<String>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    mitre: Option<WireMitre>,
    // Audit alerts.
    #[serde(default)]
    resource: Option<WireResource>,
    // Node alerts.
    #[serde(default)]
    node: Option<String>,
    #[serde(default)]
    container: Option<WireContainer>,
    #[serde(default)]
    process: Option<Value>,
}

#[derive(Deserialize, Default)]
struct WireMitre {
    #[serde(default)]
    tactics: Vec<String>,
    #[serde(default)]
    techniques: Vec<String>,
}

#[derive(Deserialize)]
struct WireResource {
    #[serde(default)]
    api_group: Option<String>,
    #[serde(default)]
    resource: Option<String>,
    #[serde(default)]
    subresource: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    uri: Option<String>,
}

#[derive(Deserialize)]
struct WireContainer {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    image: Option<String>,
    #[serde(default)]
    pod_name: Option<String>,
    #[serde(default)]
    pod_namespace: Option<String>,
}

/// Decodes a batch of alerts, one JSON document per line (blank lines skipped), at most
/// `max_lines` of them. `received` (RFC 3339) stands in for a missing event time.
pub fn decode_alerts(
    body: &[u8],
    max_lines: usize,
    received: &str,
) -> Result<Vec<IngestAlert>, DecodeError> {
    let mut out = Vec::new();
    for (i, raw) in body.split(|b| *b == b'\n').enumerate() {
        let line = i + 1;
        let err = |message: String| DecodeError::Line { line, message };
        let text = std::str::from_utf8(raw).map_err(|e| err(format!("not UTF-8: {e}")))?;
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if out.len() == max_lines {
            return Err(DecodeError::TooManyLines(max_lines));
        }
        out.push(decode_alert(text, received).map_err(err)?);
    }
    Ok(out)
}

fn decode_alert(text: &str, received: &str) -> Result<IngestAlert, String> {
    let w: WireAlert = serde_json::from_str(text).map_err(|e| format!("not an alert: {e}"))?;
    for (name, v) in [("id", &w.id), ("rule", &w.rule)] {
        if v.is_empty() {
            return Err(format!("{name} is empty"));
        }
    }
    let long = [
        Some(&w.id),
        Some(&w.rule),
        w.rule_id.as_ref(),
        w.cluster.as_ref(),
        w.node.as_ref(),
    ];
    if long.iter().flatten().any(|v| v.len() > MAX_FIELD) {
        return Err(format!("a field is longer than {MAX_FIELD} bytes"));
    }
    let time = if w.time.is_empty() {
        received.to_string()
    } else {
        normalize_time(&w.time).ok_or_else(|| format!("time {:?} is not RFC 3339", w.time))?
    };
    let last_seen = match w.last_seen.as_deref() {
        None | Some("") => time.clone(),
        Some(t) => normalize_time(t).ok_or_else(|| format!("last_seen {t:?} is not RFC 3339"))?,
    };
    let last_seen = if last_seen < time {
        time.clone()
    } else {
        last_seen
    };
    let hits = i64::try_from(w.count.unwrap_or(1).max(1))
        .map_err(|_| "count is out of range".to_string())?;
    let mitre = w.mitre.unwrap_or_default();
    let rule_key = w.rule_id.clone().unwrap_or_else(|| w.rule.clone());

    let (source, namespace, resource, identity, image) = if let Some(c) = &w.container {
        let resource = match (&c.pod_namespace, &c.pod_name, &c.name) {
            (Some(ns), Some(pod), _) => format!("pod {ns}/{pod}"),
            (_, _, Some(name)) => format!("container {name} ({})", short(&c.id)),
            _ if c.id == "host" => "host".to_string(),
            _ => format!("container {}", short(&c.id)),
        };
        (
            AlertSource::Node,
            c.pod_namespace.clone(),
            resource,
            c.id.clone(),
            c.image.clone(),
        )
    } else if let Some(r) = &w.resource {
        let resource = match &r.uri {
            Some(uri) if r.resource.is_none() => uri.clone(),
            _ => {
                let mut kind = r.resource.clone().unwrap_or_default();
                if let Some(g) = &r.api_group {
                    kind = format!("{kind}.{g}");
                }
                if let Some(s) = &r.subresource {
                    kind = format!("{kind}/{s}");
                }
                match (&r.namespace, &r.name) {
                    (Some(ns), Some(n)) => format!("{kind} {ns}/{n}"),
                    (None, Some(n)) => format!("{kind} {n}"),
                    (Some(ns), None) => format!("{kind} in {ns}"),
                    (None, None) => kind,
                }
            }
        };
        (
            AlertSource::Audit,
            r.namespace.clone(),
            resource.clone(),
            resource,
            None,
        )
    } else if w.process.is_some() {
        return Err("node alert without a container".into());
    } else {
        return Err(
            "neither an audit alert (with `resource`) nor a node alert (with `container`)".into(),
        );
    };
    let place = match source {
        AlertSource::Audit => w.cluster.clone().unwrap_or_default(),
        AlertSource::Node => w.node.clone().unwrap_or_default(),
    };
    let key = hash(&[source.as_str(), &place, &w.id]);
    let group = hash(&[source.as_str(), &place, &rule_key, &identity])[..32].to_string();
    let process_name = w
        .process
        .as_ref()
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let container_name = w.container.as_ref().and_then(|c| c.name.clone());
    Ok(IngestAlert {
        process_name,
        container_name,
        source,
        key,
        group,
        doc_id: w.id,
        rule_id: w.rule_id,
        rule: w.rule,
        severity: w.severity,
        time,
        last_seen,
        hits,
        cluster: w.cluster,
        node: w.node,
        namespace,
        resource,
        image,
        message: w.message,
        tactics: mitre.tactics,
        techniques: mitre.techniques,
        document: text.to_string(),
    })
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// sha256 over the parts, each followed by a NUL, in hex.
pub fn hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// Any RFC 3339 time → `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC), so stored times sort as text.
pub fn normalize_time(t: &str) -> Option<String> {
    let parsed = humantime::parse_rfc3339_weak(t)
        .ok()
        .or_else(|| offset_time(t))?;
    Some(humantime::format_rfc3339_micros(parsed).to_string())
}

/// `2026-01-02T03:04:05.123+02:00` → the UTC instant.
fn offset_time(t: &str) -> Option<std::time::SystemTime> {
    let (base, sign, off) = if let Some(i) = t.rfind('+').filter(|&i| i > 10) {
        (&t[..i], 1i64, &t[i + 1..])
    } else {
        let i = t.rfind('-').filter(|&i| i > 10)?;
        (&t[..i], -1i64, &t[i + 1..])
    };
    let (h, m) = off.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    if h > 23 || m > 59 {
        return None;
    }
    let local = humantime::parse_rfc3339_weak(base).ok()?;
    let shift = std::time::Duration::from_secs(u64::try_from(h * 3600 + m * 60).ok()?);
    if sign > 0 {
        local.checked_sub(shift)
    } else {
        local.checked_add(shift)
    }
}

/// A scan report (`palisade image scan -f json`), with the digest the server files it under:
/// the manifest digest, else the image id.
#[derive(Debug)]
pub struct IngestScan {
    pub digest: String,
    /// sha256 of the document as received.
    pub sha256: String,
    pub report: ScanReport,
}

pub fn decode_scan_report(body: &[u8]) -> Result<IngestScan, DecodeError> {
    let report: ScanReport = serde_json::from_slice(body)
        .map_err(|e| DecodeError::Document(format!("not a scan report: {e}")))?;
    let digest = report
        .artifact
        .manifest_digest
        .clone()
        .or_else(|| report.artifact.config_digest.clone())
        .ok_or_else(|| {
            DecodeError::Document(
                "the scan report names no image digest (artifact.manifest_digest or \
                 artifact.config_digest): only image scans can be stored"
                    .into(),
            )
        })?;
    if !valid_digest(&digest) {
        return Err(DecodeError::Document(format!(
            "image digest {digest:?} is not of the form sha256:<64 hex digits>"
        )));
    }
    Ok(IngestScan {
        digest,
        sha256: hex::encode(Sha256::digest(body)),
        report,
    })
}

pub fn valid_digest(d: &str) -> bool {
    d.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A posture result (`palisade posture scan -f json`).
#[derive(Debug, Deserialize)]
pub struct PostureDoc {
    pub schema_version: u32,
    pub findings: Vec<PostureFinding>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PostureFinding {
    pub check_id: String,
    pub title: String,
    pub severity: Severity,
    pub category: String,
    pub object: PostureObject,
    pub message: String,
    pub location: PostureLocation,
    pub pointer: String,
    pub remediation: String,
    pub patch_at: String,
    pub patch: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PostureObject {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub namespace: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PostureLocation {
    pub file: String,
    pub line: u32,
}

#[derive(Debug)]
pub struct IngestPosture {
    pub sha256: String,
    pub findings: Vec<PostureFinding>,
}

pub fn decode_posture(body: &[u8]) -> Result<IngestPosture, DecodeError> {
    let doc: PostureDoc = serde_json::from_slice(body)
        .map_err(|e| DecodeError::Document(format!("not a posture result: {e}")))?;
    if doc.schema_version != 1 {
        return Err(DecodeError::Document(format!(
            "posture result schema_version {} is not supported (1 is)",
            doc.schema_version
        )));
    }
    Ok(IngestPosture {
        sha256: hex::encode(Sha256::digest(body)),
        findings: doc.findings,
    })
}

impl PostureFinding {
    /// Stable key within a scope: check, object, field.
    pub fn key(&self, scope: &str) -> String {
        let o = &self.object;
        hash(&[
            scope,
            &self.check_id,
            &o.api_version,
            &o.kind,
            o.namespace.as_deref().unwrap_or(""),
            &o.name,
            &self.pointer,
        ])
    }
}

/// Runs every decoder on `data` (the fuzz target's body).
pub fn fuzz_all(data: &[u8]) {
    let _ = decode_alerts(data, 1000, "2026-01-01T00:00:00.000000Z");
    let _ = decode_scan_report(data);
    let _ = decode_posture(data);
    let _ = crate::heartbeat::decode_heartbeat(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = normalize_time(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUDIT: &str = r#"{"id":"PAL-K8SAUDIT-001/abc","rule_id":"PAL-K8SAUDIT-001","rule":"Exec into pod","severity":"HIGH","priority":"WARNING","time":"2026-01-02T03:04:05.123Z","cluster":"prod","resource":{"resource":"pods","subresource":"exec","namespace":"default","name":"web"},"user":{"name":"alice"},"source_ips":[],"mitre":{"tactics":["Execution"],"techniques":["T1609"],"technique_names":["Container Administration Command"]},"message":"exec","count":2,"last_seen":"2026-01-02T03:05:00Z","evidence":{}}"#;

    #[test]
    fn audit_alert_is_normalised() {
        let a = decode_alerts(AUDIT.as_bytes(), 10, "x").unwrap();
        assert_eq!(a.len(), 1);
        let a = &a[0];
        assert_eq!(a.source, AlertSource::Audit);
        assert_eq!(a.time, "2026-01-02T03:04:05.123000Z");
        assert_eq!(a.last_seen, "2026-01-02T03:05:00.000000Z");
        assert_eq!(a.hits, 2);
        assert_eq!(a.resource, "pods/exec default/web");
        assert_eq!(a.namespace.as_deref(), Some("default"));
        assert_eq!(a.cluster.as_deref(), Some("prod"));
    }

    #[test]
    fn errors_name_the_line() {
        let body = format!("{AUDIT}\n\n{{\"id\":1}}\n");
        let e = decode_alerts(body.as_bytes(), 10, "x").unwrap_err();
        assert!(matches!(e, DecodeError::Line { line: 3, .. }), "{e}");
        let e = decode_alerts(br#"{"id":"a","rule":"r","severity":"LOW"}"#, 10, "x").unwrap_err();
        assert!(e.to_string().contains("neither an audit alert"), "{e}");
        let body = format!("{AUDIT}\n{AUDIT}\n");
        assert_eq!(
            decode_alerts(body.as_bytes(), 1, "x").unwrap_err(),
            DecodeError::TooManyLines(1)
        );
    }

    #[test]
    fn times_are_normalised_to_utc() {
        assert_eq!(
            normalize_time("2026-01-02T03:04:05+02:00").as_deref(),
            Some("2026-01-02T01:04:05.000000Z")
        );
        assert_eq!(
            normalize_time("2026-01-02T03:04:05.5-01:30").as_deref(),
            Some("2026-01-02T04:34:05.500000Z")
        );
        assert_eq!(normalize_time("yesterday"), None);
        assert_eq!(normalize_time("2026-01-02T03:04:05+99:00"), None);
    }

    #[test]
    fn same_rule_and_resource_share_a_group() {
        let other = AUDIT.replace("PAL-K8SAUDIT-001/abc", "PAL-K8SAUDIT-001/def");
        let a = &decode_alerts(AUDIT.as_bytes(), 10, "x").unwrap()[0];
        let b = &decode_alerts(other.as_bytes(), 10, "x").unwrap()[0];
        assert_eq!(a.group, b.group);
        assert_ne!(a.key, b.key);
        let elsewhere = other.replace("\"web\"", "\"db\"");
        let c = &decode_alerts(elsewhere.as_bytes(), 10, "x").unwrap()[0];
        assert_ne!(a.group, c.group);
    }

    #[test]
    fn scan_report_needs_a_digest() {
        let e = decode_scan_report(b"{}").unwrap_err();
        assert!(e.to_string().starts_with("not a scan report"), "{e}");
    }
}
