//! SARIF 2.1.0 output of `palisade posture scan`: one rule per check that fired (with its
//! help text and GitHub's `security-severity`), one result per finding pointing at the
//! manifest file and line. No timestamps: the output depends only on the findings.

use std::collections::BTreeMap;

use palisade_model::Severity;
use serde_json::{json, Value};

use crate::engine::PostureFinding;
use crate::registry::by_id;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Unknown => "note",
    }
}

/// GitHub reads `security-severity` (0.0–10.0) to rank alerts.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Unknown => "0.0",
    }
}

/// The SARIF log for these findings. `tool_version` is the palisade version.
pub fn sarif_log(findings: &[PostureFinding], tool_version: &str) -> Value {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for f in findings {
        if index.contains_key(f.check_id) {
            continue;
        }
        index.insert(f.check_id, rules.len());
        let (tags, rationale, help, help_uri) = rule_text(f);
        rules.push(json!({
            "id": f.check_id,
            "name": f.check_id.replace('-', ""),
            "shortDescription": {"text": f.title},
            "fullDescription": {"text": rationale},
            "help": {"text": help},
            "helpUri": help_uri,
            "defaultConfiguration": {"level": level(f.severity)},
            "properties": {"security-severity": security_severity(f.severity), "tags": tags},
        }));
    }
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.check_id,
                "ruleIndex": index[f.check_id],
                "level": level(f.severity),
                "message": {"text": format!("{}: {}", f.object, f.message)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&f.location.file)},
                        "region": {"startLine": f.location.line.max(1)},
                    },
                    "logicalLocations": [{"name": f.object.to_string(), "kind": "resource"}],
                }],
                "partialFingerprints": {"palisadePostureHash/v1": format!("{}|{}|{}", f.check_id, f.object, f.pointer)},
            });
            if let Some(details) = &f.details {
                result["properties"] = json!({"details": details});
            }
            result
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "palisade", "version": tool_version, "rules": rules}},
            "results": results,
        }],
    })
}

/// Tags, description, help text and help URI of a finding's rule: a posture check, a host
/// check, or (a Rego policy) only what the finding says.
fn rule_text(f: &PostureFinding) -> (Vec<String>, &'static str, String, &'static str) {
    let mut tags = vec!["security".to_owned()];
    if let Some(m) = crate::host::by_id(f.check_id).map(|c| c.meta()) {
        tags.push(match m.benchmark {
            crate::host::Benchmark::CisDocker => "docker".to_owned(),
            crate::host::Benchmark::CisKubernetes => "kubernetes".to_owned(),
        });
        tags.push(f.category.as_str().to_owned());
        let framework = match m.benchmark {
            crate::host::Benchmark::CisDocker => "cis-docker",
            crate::host::Benchmark::CisKubernetes => "cis-kubernetes",
        };
        tags.push(format!("{framework}/{}", m.cis));
        let help = format!(
            "{}\n\nRemediation: {}\n\nFix:\n{}",
            m.rationale, m.remediation, m.fix
        );
        return (
            tags,
            m.rationale,
            help,
            m.references.first().copied().unwrap_or(""),
        );
    }
    tags.push("kubernetes".to_owned());
    tags.push(f.category.as_str().to_owned());
    let meta = by_id(f.check_id).map(|c| c.meta());
    if let Some(m) = meta {
        tags.extend(
            m.frameworks
                .mitre
                .iter()
                .map(|t| format!("mitre-attack/{t}")),
        );
        tags.extend(m.frameworks.cis.iter().map(|t| format!("cis/{t}")));
    }
    let help = meta
        .map(|m| {
            format!(
                "{}\n\nRemediation: {}\n\nPatch:\n{}",
                m.rationale, m.remediation, m.patch
            )
        })
        .unwrap_or_default();
    (
        tags,
        meta.map(|m| m.rationale).unwrap_or(f.title),
        help,
        meta.and_then(|m| m.references.first().copied())
            .unwrap_or("https://kubernetes.io/docs/concepts/security/"),
    )
}

/// A relative URI for a path as given on the command line (`./a b.yaml` → `a%20b.yaml`).
fn uri(path: &str) -> String {
    let p = path.strip_prefix("./").unwrap_or(path);
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if out.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_escaped() {
        assert_eq!(super::uri("./dir/a b.yaml"), "dir/a%20b.yaml");
        assert_eq!(super::uri("/tmp/x.yaml"), "file:///tmp/x.yaml");
    }
}
