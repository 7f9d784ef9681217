//! Accepted risks: exceptions from a file and from an annotation on the object. An expired
//! exception stops applying (the finding comes back).
//!
//! File (YAML or JSON):
//! ```yaml
//! exceptions:
//! - check: PAL-K8S-003        # a check id, or "*"
//!   namespace: kube-system    # optional; `*` wildcards allowed in namespace and name
//!   name: cilium-*            # optional
//!   kind: DaemonSet           # optional
//!   labels: {k8s-app: cilium} # optional; all must match the object's labels
//!   reason: the CNI needs host networking
//!   expires: 2026-12-31       # optional; the last day it applies
//! ```
//! Annotation on the object: `palisade.dev/exceptions: "PAL-K8S-003, PAL-K8S-014 until 2026-12-31"`
//! (comma-separated ids, each optionally followed by `until YYYY-MM-DD`), with an optional
//! `palisade.dev/exceptions-reason`.

use std::collections::BTreeMap;

use palisade_k8s::{Inventory, Object};
use serde::{Deserialize, Serialize};

use crate::engine::PostureFinding;

pub const ANNOTATION: &str = "palisade.dev/exceptions";
pub const REASON_ANNOTATION: &str = "palisade.dev/exceptions-reason";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    pub check: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub reason: String,
    /// `YYYY-MM-DD`, the last day the exception applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExceptionFile {
    #[serde(default)]
    exceptions: Vec<Exception>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExceptionError {
    #[error("line {line}: {message}")]
    Parse { line: u32, message: String },
    #[error("exception {index}: {message}")]
    Invalid { index: usize, message: String },
}

/// Parses an exceptions file.
pub fn parse_file(text: &str) -> Result<Vec<Exception>, ExceptionError> {
    let (docs, errors) =
        palisade_k8s::yaml::parse_stream(text, &palisade_k8s::yaml::Limits::default());
    if let Some(e) = errors.first() {
        return Err(ExceptionError::Parse {
            line: e.line,
            message: e.message.clone(),
        });
    }
    let mut out = Vec::new();
    for d in docs {
        if d.value.is_null() {
            continue;
        }
        let file: ExceptionFile =
            serde_json::from_value(d.value).map_err(|e| ExceptionError::Parse {
                line: d.line,
                message: e.to_string(),
            })?;
        out.extend(file.exceptions);
    }
    for (index, e) in out.iter().enumerate() {
        if let Some(date) = &e.expires {
            if !is_date(date) {
                return Err(ExceptionError::Invalid {
                    index,
                    message: format!("expires {date:?} is not YYYY-MM-DD"),
                });
            }
        }
        if e.check.is_empty() {
            return Err(ExceptionError::Invalid {
                index,
                message: "check is empty".into(),
            });
        }
    }
    Ok(out)
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(pos) = rest.find(part) else {
                return false;
            };
            rest = &rest[pos + part.len()..];
        }
    }
    true
}

/// A finding left out by an exception, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Suppressed {
    pub finding: PostureFinding,
    pub source: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl Exception {
    fn matches(&self, f: &PostureFinding, object: Option<&Object>) -> bool {
        (self.check == "*" || self.check == f.check_id)
            && self.kind.as_ref().is_none_or(|k| *k == f.object.kind)
            && self
                .namespace
                .as_ref()
                .is_none_or(|n| f.object.namespace.as_deref().is_some_and(|ns| glob(n, ns)))
            && self.name.as_ref().is_none_or(|n| glob(n, &f.object.name))
            && self
                .labels
                .iter()
                .all(|(k, v)| object.and_then(|o| o.label(k)) == Some(v.as_str()))
    }
}

/// Annotation exceptions of an object: (check id, expiry).
fn annotation_exceptions(object: &Object) -> Vec<(String, Option<String>)> {
    let Some(value) = object.annotation(ANNOTATION) else {
        return Vec::new();
    };
    value
        .split(',')
        .filter_map(|item| {
            let mut words = item.split_whitespace();
            let id = words.next()?.to_owned();
            let expiry = match (words.next(), words.next()) {
                (Some("until"), Some(d)) if is_date(d) => Some(d.to_owned()),
                _ => None,
            };
            Some((id, expiry))
        })
        .collect()
}

/// Splits findings into kept and suppressed. `today` is `YYYY-MM-DD`; an exception whose
/// `expires` is before it no longer applies.
pub fn apply(
    findings: Vec<PostureFinding>,
    inventory: &Inventory,
    exceptions: &[Exception],
    today: &str,
) -> (Vec<PostureFinding>, Vec<Suppressed>) {
    let live = |e: &Option<String>| e.as_deref().is_none_or(|d| d >= today);
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for f in findings {
        let object = inventory.objects.iter().find(|o| {
            o.kind == f.object.kind
                && o.name == f.object.name
                && o.namespace_or_default() == f.object.namespace.as_deref()
        });
        if let Some(e) = exceptions
            .iter()
            .find(|e| live(&e.expires) && e.matches(&f, object))
        {
            suppressed.push(Suppressed {
                source: "file".into(),
                reason: e.reason.clone(),
                expires: e.expires.clone(),
                finding: f,
            });
            continue;
        }
        if let Some(o) = object {
            if let Some((_, expiry)) = annotation_exceptions(o)
                .into_iter()
                .find(|(id, exp)| (id == f.check_id || id == "*") && live(exp))
            {
                let reason = o.annotation(REASON_ANNOTATION).unwrap_or("").to_owned();
                suppressed.push(Suppressed {
                    source: format!("annotation {ANNOTATION}"),
                    reason,
                    expires: expiry,
                    finding: f,
                });
                continue;
            }
        }
        kept.push(f);
    }
    (kept, suppressed)
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{evaluate, registry::CHECKS, Settings};
    use palisade_k8s::{load_str, LoadOptions, Loaded};

    fn scan(yaml: &str) -> (Inventory, Vec<PostureFinding>) {
        let mut out = Loaded::default();
        load_str(yaml, "x.yaml".into(), &LoadOptions::default(), &mut out);
        let inv = Inventory::new(out.objects);
        let findings = evaluate(
            &inv,
            &[
                crate::by_id("PAL-K8S-003").unwrap(),
                crate::by_id("PAL-K8S-002").unwrap(),
            ],
            &Settings::default(),
        )
        .findings;
        (inv, findings)
    }

    const PODS: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: agent-1\n  namespace: kube-system\n  labels: {app: agent}\nspec:\n  hostPID: true\n  containers: [{name: c, securityContext: {privileged: true}}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  annotations:\n    palisade.dev/exceptions: \"PAL-K8S-003 until 2030-01-01, PAL-K8S-002 until 2020-01-01\"\n    palisade.dev/exceptions-reason: debugging\nspec:\n  hostPID: true\n  containers: [{name: c, securityContext: {privileged: true}}]\n";

    #[test]
    fn file_and_annotation_exceptions_with_expiry() {
        assert!(!CHECKS.is_empty());
        let (inv, findings) = scan(PODS);
        assert_eq!(findings.len(), 4);
        let exceptions = parse_file("exceptions:\n- check: PAL-K8S-003\n  namespace: kube-*\n  labels: {app: agent}\n  reason: node agent\n  expires: 2099-12-31\n- check: '*'\n  name: agent-1\n  expires: 2001-01-01\n").unwrap();
        let (kept, suppressed) = apply(findings, &inv, &exceptions, "2026-11-24");
        let kept: Vec<_> = kept
            .iter()
            .map(|f| format!("{} {}", f.check_id, f.object.name))
            .collect();
        assert_eq!(
            kept,
            ["PAL-K8S-002 agent-1", "PAL-K8S-002 web"],
            "expired ones still report"
        );
        assert_eq!(suppressed.len(), 2);
        assert_eq!(suppressed[0].reason, "node agent");
        assert_eq!(suppressed[1].reason, "debugging");
        assert!(suppressed[1].source.contains("annotation"));
    }

    #[test]
    fn bad_files_are_errors() {
        assert!(parse_file("exceptions:\n- check: X\n  expires: tomorrow\n").is_err());
        assert!(parse_file("exceptions:\n- chek: X\n").is_err());
        assert!(parse_file("exceptions: [\n").is_err());
        assert!(
            glob("kube-*", "kube-system") && !glob("kube-*", "default") && glob("*a*b", "xaxb")
        );
        assert_eq!(today_utc().len(), 10);
    }
}
