//! Suppressions: findings a team has reviewed and accepted, from two sources.
//!
//! - A `.palisadeignore` file, one vulnerability per line:
//!   `CVE-2023-1234 [purl:pkg:pypi/requests] [exp:2025-06-30] [# reason]`.
//!   An expired line stops applying (and is reported), so accepted risk is reviewed again.
//! - OpenVEX documents (https://github.com/openvex/spec): statements with status
//!   `not_affected` (with a justification or impact statement) or `fixed` suppress the
//!   vulnerability for the products they name (purls); `affected` and `under_investigation`
//!   suppress nothing.
//!
//! A product purl without a version matches every version of that package.

use palisade_model::{Finding, Suppression};
use serde::Deserialize;

/// One accepted vulnerability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    /// Limits the rule to these packages; empty means every package.
    pub purls: Vec<String>,
    /// `YYYY-MM-DD`; the rule applies up to and including that day.
    pub expires: Option<String>,
    pub suppression: Suppression,
}

#[derive(Debug, thiserror::Error)]
pub enum SuppressError {
    #[error("{source_name}:{line}: {message}")]
    IgnoreFile {
        source_name: String,
        line: usize,
        message: String,
    },
    #[error("{source_name}: not an OpenVEX document: {message}")]
    Vex {
        source_name: String,
        message: String,
    },
}

/// Parses a `.palisadeignore` file.
pub fn parse_ignore_file(text: &str, source_name: &str) -> Result<Vec<Rule>, SuppressError> {
    let mut rules = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let (content, comment) = match raw.split_once('#') {
            Some((c, r)) => (c, Some(r.trim().to_string()).filter(|r| !r.is_empty())),
            None => (raw, None),
        };
        let mut words = content.split_whitespace();
        let Some(id) = words.next() else { continue };
        let error = |message: String| SuppressError::IgnoreFile {
            source_name: source_name.to_string(),
            line: n + 1,
            message,
        };
        let mut rule = Rule {
            id: id.to_string(),
            purls: Vec::new(),
            expires: None,
            suppression: Suppression {
                source: source_name.to_string(),
                reason: comment,
                status: None,
                justification: None,
            },
        };
        for word in words {
            if let Some(date) = word.strip_prefix("exp:") {
                if !is_date(date) {
                    return Err(error(format!("expiry {date:?} is not YYYY-MM-DD")));
                }
                rule.expires = Some(date.to_string());
            } else if let Some(purl) = word.strip_prefix("purl:") {
                rule.purls.push(purl.to_string());
            } else {
                return Err(error(format!(
                    "unexpected {word:?} (expected exp:YYYY-MM-DD, purl:PURL or # reason)"
                )));
            }
        }
        rules.push(rule);
    }
    Ok(rules)
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

#[derive(Deserialize)]
struct VexDocument {
    #[serde(rename = "@context")]
    context: String,
    #[serde(default)]
    statements: Vec<VexStatement>,
}

#[derive(Deserialize)]
struct VexStatement {
    vulnerability: VexVulnerability,
    #[serde(default)]
    products: Vec<VexProduct>,
    status: String,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    impact_statement: Option<String>,
    #[serde(default)]
    status_notes: Option<String>,
}

#[derive(Deserialize)]
struct VexVulnerability {
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "@id", default)]
    id: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
struct VexProduct {
    #[serde(rename = "@id", default)]
    id: Option<String>,
    #[serde(default)]
    identifiers: Option<VexIdentifiers>,
    #[serde(default)]
    subcomponents: Vec<VexProduct>,
}

#[derive(Deserialize)]
struct VexIdentifiers {
    #[serde(default)]
    purl: Option<String>,
}

/// Parses an OpenVEX JSON document into rules (only `not_affected` and `fixed` statements).
pub fn parse_openvex(bytes: &[u8], source_name: &str) -> Result<Vec<Rule>, SuppressError> {
    let error = |message: String| SuppressError::Vex {
        source_name: source_name.to_string(),
        message,
    };
    let document: VexDocument = serde_json::from_slice(bytes).map_err(|e| error(e.to_string()))?;
    if !document.context.starts_with("https://openvex.dev/ns") {
        return Err(error(format!("unknown @context {:?}", document.context)));
    }
    let mut rules = Vec::new();
    for statement in document.statements {
        if !matches!(statement.status.as_str(), "not_affected" | "fixed") {
            continue;
        }
        let mut purls = Vec::new();
        for product in &statement.products {
            collect_purls(product, &mut purls);
        }
        let names = statement
            .vulnerability
            .name
            .iter()
            .chain(statement.vulnerability.id.iter())
            .chain(statement.vulnerability.aliases.iter());
        for name in names {
            rules.push(Rule {
                id: name.clone(),
                purls: purls.clone(),
                expires: None,
                suppression: Suppression {
                    source: source_name.to_string(),
                    reason: statement
                        .impact_statement
                        .clone()
                        .or_else(|| statement.status_notes.clone()),
                    status: Some(statement.status.clone()),
                    justification: statement.justification.clone(),
                },
            });
        }
    }
    Ok(rules)
}

fn collect_purls(product: &VexProduct, out: &mut Vec<String>) {
    let purl = product
        .identifiers
        .as_ref()
        .and_then(|i| i.purl.clone())
        .or_else(|| product.id.clone().filter(|id| id.starts_with("pkg:")));
    if let Some(purl) = purl {
        out.push(purl);
    }
    for sub in &product.subcomponents {
        collect_purls(sub, out);
    }
}

/// Splits `findings` into those that remain and those suppressed (with what suppressed them).
/// Rules that expired before `today` (`YYYY-MM-DD`) do not apply.
pub fn apply(
    findings: Vec<Finding>,
    rules: &[Rule],
    today: &str,
) -> (Vec<Finding>, Vec<(Finding, Suppression)>) {
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for finding in findings {
        let rule = rules.iter().find(|r| {
            r.expires.as_deref().is_none_or(|e| e >= today)
                && (r.id == finding.id || finding.aliases.contains(&r.id))
                && (r.purls.is_empty() || r.purls.iter().any(|p| purl_matches(p, &finding.purl)))
        });
        match rule {
            Some(rule) => suppressed.push((finding, rule.suppression.clone())),
            None => kept.push(finding),
        }
    }
    (kept, suppressed)
}

/// `pkg:pypi/requests` matches every version of requests; with a version, only that one.
fn purl_matches(rule: &str, package: &str) -> bool {
    let strip = |p: &str| p.split(['?', '#']).next().unwrap_or(p).to_string();
    let (rule, package) = (strip(rule), strip(package));
    if rule.contains('@') {
        rule == package
    } else {
        package.split('@').next() == Some(rule.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_file_lines() {
        let rules = parse_ignore_file(
            "# accepted risks\nCVE-2018-18074 exp:2030-01-31 # internal only\n\nPYSEC-2020-96 purl:pkg:pypi/pyyaml\n",
            ".palisadeignore",
        )
        .unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].expires.as_deref(), Some("2030-01-31"));
        assert_eq!(
            rules[0].suppression.reason.as_deref(),
            Some("internal only")
        );
        assert_eq!(rules[1].purls, vec!["pkg:pypi/pyyaml"]);
        let err = parse_ignore_file("CVE-1 exp:tomorrow", "f").unwrap_err();
        assert!(err.to_string().starts_with("f:1:"), "{err}");
        assert!(parse_ignore_file("CVE-1 nonsense", "f").is_err());
    }

    #[test]
    fn purl_matching() {
        assert!(purl_matches(
            "pkg:pypi/requests",
            "pkg:pypi/requests@2.19.0"
        ));
        assert!(purl_matches(
            "pkg:pypi/requests@2.19.0",
            "pkg:pypi/requests@2.19.0"
        ));
        assert!(!purl_matches(
            "pkg:pypi/requests@2.20.0",
            "pkg:pypi/requests@2.19.0"
        ));
        assert!(!purl_matches(
            "pkg:pypi/requests",
            "pkg:pypi/requests-toolbelt@1.0"
        ));
        assert!(purl_matches(
            "pkg:deb/debian/bash",
            "pkg:deb/debian/bash@5.2?arch=amd64"
        ));
    }
}
