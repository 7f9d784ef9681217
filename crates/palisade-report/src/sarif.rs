//! SARIF 2.1.0 output of `palisade image scan`, in the shape GitHub code scanning reads.
//!
//! One run; the driver has one rule per distinct vulnerability id (in order of first
//! appearance) and every finding is one result pointing at its rule by `ruleId` and
//! `ruleIndex`. GitHub derives an alert's severity from the rule's `security-severity`
//! property (the CVSS base score when known, else a number standing for the severity) and
//! tracks an alert across runs by the result's `partialFingerprints`.
//!
//! Each result's physical location is the first place the package was found, as a path relative
//! to the image root (`var/lib/dpkg/status`), with line 1 as its region because GitHub requires
//! one. A finding with no location points at the scanned artifact's name instead. A logical
//! location names the package.
//!
//! The output depends only on the report and the tool version: no timestamps.
//!
//! References: OASIS SARIF 2.1.0 (errata 01); GitHub "SARIF support for code scanning".

use std::collections::HashMap;
use std::io::Write;

use palisade_model::{Finding, ScanReport, Severity};
use serde_json::{json, Map, Value};

use crate::ReportError;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of our fingerprint in `partialFingerprints`; the version changes if the hashed
/// fields ever do, so that GitHub does not confuse the two.
const FINGERPRINT_KEY: &str = "palisadeFindingHash/v1";

/// Writes `report` as a SARIF 2.1.0 log (pretty-printed, ending with a newline).
pub fn write_sarif(
    report: &ScanReport,
    tool_version: &str,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let log = sarif_log(report, tool_version);
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)?;
    Ok(())
}

fn sarif_log(report: &ScanReport, tool_version: &str) -> Value {
    // Distinct ids in order of first appearance; each with the findings that carry it.
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    let mut groups: Vec<Vec<&Finding>> = Vec::new();
    let mut indexes = Vec::with_capacity(report.findings.len());
    for f in &report.findings {
        let i = *index_of.entry(f.id.as_str()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push(f);
        indexes.push(i);
    }
    let rules: Vec<Value> = groups.iter().map(|g| rule(g)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .zip(indexes)
        .map(|(f, i)| result(report, f, i))
        .collect();

    let mut driver = json!({
        "name": "palisade",
        "rules": rules,
    });
    // The workspace's `repository`; left out if a build ever has none (it must be a URI).
    let home = env!("CARGO_PKG_REPOSITORY");
    if !home.is_empty() {
        driver["informationUri"] = json!(home);
    }
    if !tool_version.is_empty() {
        driver["version"] = json!(tool_version);
        if is_semver(tool_version) {
            driver["semanticVersion"] = json!(tool_version);
        }
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "results": results,
            "columnKind": "utf16CodeUnits",
            "properties": {
                "artifact": report.artifact.name,
                "source": report.source,
                "packagesScanned": report.packages_scanned,
            },
        }],
    })
}

/// The rule of one vulnerability id, from every finding carrying it (the same vulnerability in
/// several packages: the first finding's summary, the highest severity and score).
fn rule(findings: &[&Finding]) -> Value {
    let first = findings[0];
    let id = first.id.as_str();
    let severity = findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Unknown);
    let score = findings
        .iter()
        .filter_map(|f| f.cvss.as_ref().map(|c| c.score))
        .filter(|s| s.is_finite())
        .fold(None, |acc: Option<f64>, s| {
            Some(acc.map_or(s, |a| a.max(s)))
        });
    let mut packages: Vec<&str> = findings.iter().map(|f| f.package.as_str()).collect();
    packages.sort_unstable();
    packages.dedup();
    let summary = findings
        .iter()
        .find_map(|f| f.summary.as_deref())
        .filter(|s| !s.trim().is_empty());

    let mut text = String::new();
    let mut markdown = format!("**{}**\n\n", md(id));
    if let Some(s) = summary {
        text.push_str(s);
        text.push_str("\n\n");
        markdown.push_str(&md(s));
        markdown.push_str("\n\n");
    }
    markdown.push_str("| Package | Installed version | Fixed version |\n| --- | --- | --- |\n");
    for f in findings {
        let fixed = f.fixed_version.as_deref().unwrap_or("no fix available");
        text.push_str(&format!(
            "Package: {}\nInstalled version: {}\nFixed version: {}\n\n",
            f.package, f.version, fixed
        ));
        markdown.push_str(&format!(
            "| {} | {} | {} |\n",
            md(&f.package),
            md(&f.version),
            md(fixed)
        ));
    }
    if !first.aliases.is_empty() {
        text.push_str(&format!("Aliases: {}\n\n", first.aliases.join(", ")));
        markdown.push_str(&format!(
            "\nAliases: {}\n",
            first
                .aliases
                .iter()
                .map(|a| md(a))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if findings.iter().any(|f| f.kev.is_some()) {
        let note = "Listed in CISA's Known Exploited Vulnerabilities catalog.";
        text.push_str(note);
        text.push('\n');
        markdown.push_str(&format!("\n**{note}**\n"));
    }
    let help_uri = advisory_url(id);
    markdown.push_str(&format!("\n[{}]({help_uri})\n", md(id)));

    let mut properties = json!({
        "security-severity": security_severity(severity, score),
        "tags": ["vulnerability", "security", severity_tag(severity)],
    });
    if let Some(c) = findings.iter().find_map(|f| f.cvss.as_ref()) {
        properties["cvssV3Vector"] = json!(c.vector);
    }
    json!({
        "id": id,
        "name": rule_name(id),
        "shortDescription": { "text": format!("{id} in {}", packages.join(", ")) },
        "fullDescription": { "text": summary.unwrap_or(id) },
        "helpUri": help_uri,
        "help": { "text": text.trim_end(), "markdown": markdown.trim_end() },
        "defaultConfiguration": { "level": level(severity) },
        "properties": properties,
    })
}

fn result(report: &ScanReport, f: &Finding, rule_index: usize) -> Value {
    let mut message = format!(
        "Package {} version {} is affected by {}.",
        f.package, f.version, f.id
    );
    match &f.fixed_version {
        Some(v) => message.push_str(&format!(" Fixed in {v}.")),
        None => message.push_str(" No fix is available."),
    }
    if let Some(kev) = &f.kev {
        message.push_str(" Known exploited: listed in CISA's KEV catalog");
        if let Some(d) = &kev.date_added {
            message.push_str(&format!(" (added {d})"));
        }
        message.push('.');
        if kev.known_ransomware_campaign_use {
            message.push_str(" Used in ransomware campaigns.");
        }
    }

    let path = f
        .locations
        .first()
        .map(|l| l.path.as_str())
        .unwrap_or(report.artifact.name.as_str());
    let layer = f
        .introduced_by
        .as_deref()
        .or_else(|| f.locations.first().and_then(|l| l.layer.as_deref()));

    let mut properties = Map::new();
    properties.insert("purl".into(), json!(f.purl));
    properties.insert("package".into(), json!(f.package));
    properties.insert("installedVersion".into(), json!(f.version));
    properties.insert("ecosystem".into(), json!(f.ecosystem.to_string()));
    properties.insert("severity".into(), json!(f.severity.as_str()));
    if let Some(v) = &f.fixed_version {
        properties.insert("fixedVersion".into(), json!(v));
    }
    if let Some(l) = layer {
        properties.insert("layer".into(), json!(l));
    }
    if let Some(c) = &f.cvss {
        properties.insert(
            "cvss".into(),
            json!({ "vector": c.vector, "score": c.score }),
        );
    }
    if let Some(kev) = &f.kev {
        properties.insert(
            "kev".into(),
            serde_json::to_value(kev).unwrap_or(Value::Null),
        );
    }

    let qualified = if f.purl.is_empty() {
        &f.package
    } else {
        &f.purl
    };
    json!({
        "ruleId": f.id,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri_path(path) },
                "region": { "startLine": 1 },
            },
            "logicalLocations": [{
                "name": f.package,
                "fullyQualifiedName": qualified,
                "kind": "package",
            }],
        }],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint(f, path) },
        "properties": properties,
    })
}

/// The advisory page of a vulnerability id: NVD for CVEs, GitHub for GHSAs, OSV otherwise.
fn advisory_url(id: &str) -> String {
    let upper = id.to_ascii_uppercase();
    let encoded = uri_path(id);
    if upper.starts_with("CVE-") {
        format!("https://nvd.nist.gov/vuln/detail/{encoded}")
    } else if upper.starts_with("GHSA-") {
        format!("https://github.com/advisories/{encoded}")
    } else {
        format!("https://osv.dev/vulnerability/{encoded}")
    }
}

/// SARIF's level for a severity (also the rule's default level).
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Unknown => "note",
    }
}

fn severity_tag(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Unknown => "unknown",
    }
}

/// GitHub's `security-severity`: a number from 0.0 to 10.0, as a string. The CVSS score when
/// known, else a value inside the band GitHub maps back to the same severity (over 9.0
/// critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low).
fn security_severity(severity: Severity, score: Option<f64>) -> String {
    match score {
        Some(s) => format!("{:.1}", s.clamp(0.0, 10.0)),
        None => match severity {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "2.0",
            Severity::Unknown => "0.0",
        }
        .to_string(),
    }
}

/// The rule's `name`: the id with anything but ASCII letters and digits made `_`.
fn rule_name(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// A stable fingerprint of the finding: FNV-1a (128-bit) of id, purl and path, separated by
/// NUL bytes, in lower-case hex. Not cryptographic; it only has to be the same across runs and
/// platforms for the same finding.
fn fingerprint(f: &Finding, path: &str) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013b;
    let purl = if f.purl.is_empty() {
        &f.package
    } else {
        &f.purl
    };
    let mut hash = OFFSET;
    for part in [f.id.as_str(), purl, path] {
        for b in part.bytes().chain([0]) {
            hash ^= u128::from(b);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:032x}")
}

/// Percent-encodes a path for a URI reference, keeping `/` and the characters RFC 3986 allows
/// in a path segment, except `:` (which would make the first segment read as a scheme).
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.trim_start_matches('/').bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Escapes the characters that change meaning in Markdown text and table cells.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// SARIF's `semanticVersion` must be a Semantic Versioning 2.0 string; `0.1.0-dev+abc` is,
/// `0.1` is not.
fn is_semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_urls() {
        assert_eq!(
            advisory_url("CVE-2024-1234"),
            "https://nvd.nist.gov/vuln/detail/CVE-2024-1234"
        );
        assert_eq!(
            advisory_url("GHSA-abcd-efgh-ijkl"),
            "https://github.com/advisories/GHSA-abcd-efgh-ijkl"
        );
        assert_eq!(
            advisory_url("PYSEC-2023-1"),
            "https://osv.dev/vulnerability/PYSEC-2023-1"
        );
        assert_eq!(
            advisory_url("GO-2024-0001"),
            "https://osv.dev/vulnerability/GO-2024-0001"
        );
    }

    #[test]
    fn uri_paths() {
        assert_eq!(uri_path("var/lib/dpkg/status"), "var/lib/dpkg/status");
        assert_eq!(
            uri_path("app.war!WEB-INF/lib/x.jar"),
            "app.war!WEB-INF/lib/x.jar"
        );
        assert_eq!(uri_path("/a b:c%"), "a%20b%3Ac%25");
    }

    #[test]
    fn semver() {
        assert!(is_semver("0.1.0"));
        assert!(is_semver("1.2.3-rc.1+g123"));
        assert!(!is_semver("0.1"));
        assert!(!is_semver("01.2.3"));
        assert!(!is_semver("dev"));
    }
}
