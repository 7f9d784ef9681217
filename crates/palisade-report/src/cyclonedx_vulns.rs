//! CycloneDX 1.6 with `vulnerabilities`: the SBOM of the scanned image (`cyclonedx.rs`) plus one
//! vulnerability entry per finding (one vulnerability in one package), so each entry's
//! `affects`, fix and VEX `analysis` belong to exactly one component.
//!
//! Per entry: `id` and `source` (NVD for CVEs, GitHub for GHSAs, else OSV), `references` for the
//! aliases, `ratings` (CVSS vector, score, method; else Palisade's rating), `description`,
//! `advisories` (osv.dev pages), `recommendation` (the upgrade), `affects` (the component's
//! bom-ref and its version, `affected`, or `unaffected` when a VEX statement says so),
//! `analysis` for suppressed findings (VEX state, justification, the reason as detail), and
//! `palisade:` properties for the fix, the introducing layer and CISA KEV. The advisory
//! databases the scan read (source, sha256, record counts) are `palisade:database` properties
//! of the document's metadata.

use std::collections::HashMap;
use std::io::Write;

use palisade_model::{Finding, Inventory, ScanReport, Severity, Suppression};
use serde::{Deserialize, Serialize};

use crate::cyclonedx::{self, Property};
use crate::{DocumentContext, ReportError};

pub(crate) const FIXED_VERSION: &str = "palisade:vulnerability:fixed-version";
pub(crate) const INTRODUCED_BY: &str = "palisade:vulnerability:introduced-by";
pub(crate) const KEV: &str = "palisade:kev";
pub(crate) const KEV_DATE_ADDED: &str = "palisade:kev:date-added";
pub(crate) const KEV_DUE_DATE: &str = "palisade:kev:due-date";
pub(crate) const KEV_REQUIRED_ACTION: &str = "palisade:kev:required-action";
pub(crate) const KEV_RANSOMWARE: &str = "palisade:kev:known-ransomware-campaign-use";
pub(crate) const SUPPRESSED_BY: &str = "palisade:suppression:source";
pub(crate) const FIX_STATUS: &str = "palisade:vulnerability:status";
pub(crate) const SEVERITY_SOURCE: &str = "palisade:vulnerability:severity-source";
pub(crate) const EPSS_SCORE: &str = "palisade:epss:score";
pub(crate) const EPSS_PERCENTILE: &str = "palisade:epss:percentile";
/// One per advisory database the scan read; the value is its `DatabaseInfo` as compact JSON.
pub(crate) const DATABASE: &str = "palisade:database";

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Vulnerability {
    #[serde(rename = "bom-ref", default, skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ratings: Vec<Rating>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advisories: Vec<Advisory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<Analysis>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affects: Vec<Affects>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Source {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Reference {
    pub id: String,
    pub source: Source,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Rating {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub severity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Advisory {
    pub url: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Analysis {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Affects {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<AffectedVersion>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct AffectedVersion {
    pub version: String,
    pub status: String,
}

/// Writes the image's CycloneDX 1.6 SBOM with the report's findings (and suppressed findings)
/// as `vulnerabilities`.
pub fn write_vulnerability_bom(
    inventory: &Inventory,
    report: &ScanReport,
    ctx: &DocumentContext,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    crate::check_context(ctx)?;
    let mut bom = cyclonedx::build(inventory, ctx);
    bom.vulnerabilities = vulnerabilities(&bom, report);
    if let Some(metadata) = bom.metadata.as_mut() {
        for db in &report.databases {
            metadata.properties.push(Property {
                name: DATABASE.into(),
                value: Some(serde_json::to_string(db)?),
            });
        }
    }
    serde_json::to_writer_pretty(&mut *out, &bom)?;
    writeln!(out)?;
    Ok(())
}

/// Finds the component a finding is about: same purl, and where several components share it,
/// the one whose evidence names one of the finding's paths.
struct ComponentIndex<'a> {
    by_purl: HashMap<&'a str, Vec<(&'a str, Vec<&'a str>)>>,
    fallback: String,
}

impl<'a> ComponentIndex<'a> {
    fn new(bom: &'a cyclonedx::Bom) -> Self {
        let mut by_purl: HashMap<&str, Vec<(&str, Vec<&str>)>> = HashMap::new();
        for c in &bom.components {
            if let (Some(purl), Some(bom_ref)) = (&c.purl, &c.bom_ref) {
                let paths = c
                    .evidence
                    .iter()
                    .flat_map(|e| &e.occurrences)
                    .map(|o| o.location.as_str())
                    .collect();
                by_purl
                    .entry(purl.as_str())
                    .or_default()
                    .push((bom_ref.as_str(), paths));
            }
        }
        let fallback = bom
            .metadata
            .as_ref()
            .and_then(|m| m.component.as_ref())
            .and_then(|c| c.bom_ref.clone())
            .unwrap_or_default();
        Self { by_purl, fallback }
    }

    fn find(&self, f: &Finding) -> String {
        let Some(candidates) = self.by_purl.get(f.purl.as_str()) else {
            return self.fallback.clone();
        };
        candidates
            .iter()
            .find(|(_, paths)| f.locations.iter().any(|l| paths.contains(&l.path.as_str())))
            .or(candidates.first())
            .map_or_else(|| self.fallback.clone(), |(r, _)| r.to_string())
    }
}

fn vulnerabilities(bom: &cyclonedx::Bom, report: &ScanReport) -> Vec<Vulnerability> {
    let index = ComponentIndex::new(bom);
    let mut used = std::collections::HashSet::new();
    let active = report.findings.iter().map(|f| (f, None));
    let suppressed = report
        .suppressed
        .iter()
        .map(|s| (&s.finding, Some(&s.suppression)));
    active
        .chain(suppressed)
        .map(|(finding, suppression)| {
            let component = index.find(finding);
            let mut bom_ref = format!("vulnerability:{}:{component}", finding.id);
            let mut n = 2;
            while !used.insert(bom_ref.clone()) {
                bom_ref = format!("vulnerability:{}:{component}#{n}", finding.id);
                n += 1;
            }
            vulnerability(finding, suppression, component, bom_ref)
        })
        .collect()
}

/// Who publishes `id`, by its prefix.
fn source(id: &str) -> Source {
    if id.starts_with("CVE-") {
        Source {
            name: "NVD".into(),
            url: format!("https://nvd.nist.gov/vuln/detail/{id}"),
        }
    } else if id.starts_with("GHSA-") {
        Source {
            name: "GitHub Advisories".into(),
            url: format!("https://github.com/advisories/{id}"),
        }
    } else {
        Source {
            name: "OSV".into(),
            url: format!("https://osv.dev/vulnerability/{id}"),
        }
    }
}

fn severity_name(s: Severity) -> String {
    s.as_str().to_ascii_lowercase()
}

fn rating(f: &Finding) -> Rating {
    match &f.cvss {
        Some(cvss) => {
            let method = if cvss.vector.starts_with("CVSS:4.0/") {
                "CVSSv4"
            } else if cvss.vector.starts_with("CVSS:3.1/") {
                "CVSSv31"
            } else if cvss.vector.starts_with("CVSS:3.0/") {
                "CVSSv3"
            } else if cvss.vector.starts_with("AV:") || cvss.vector.starts_with("(AV:") {
                "CVSSv2"
            } else {
                "other"
            };
            Rating {
                score: Some(cvss.score),
                severity: severity_name(f.severity),
                method: Some(method.into()),
                vector: Some(cvss.vector.clone()),
            }
        }
        None => Rating {
            severity: severity_name(f.severity),
            ..Rating::default()
        },
    }
}

/// OpenVEX statuses and justifications in CycloneDX's terms (the mapping CISA's VEX guidance
/// gives); a justification with no counterpart stays in `detail`.
fn analysis(s: &Suppression) -> Analysis {
    let state = s.status.as_deref().and_then(|status| match status {
        "not_affected" => Some("not_affected"),
        "fixed" => Some("resolved"),
        "affected" => Some("exploitable"),
        "under_investigation" => Some("in_triage"),
        _ => None,
    });
    let justification = s.justification.as_deref().and_then(|j| match j {
        "component_not_present" | "vulnerable_code_not_present" => Some("code_not_present"),
        "vulnerable_code_not_in_execute_path" => Some("code_not_reachable"),
        "vulnerable_code_cannot_be_controlled_by_adversary" => Some("requires_environment"),
        "inline_mitigations_already_exist" => Some("protected_by_mitigating_control"),
        _ => None,
    });
    let mut detail = Vec::new();
    if let Some(j) = &s.justification {
        detail.push(format!("VEX justification: {j}"));
    }
    if let Some(reason) = &s.reason {
        detail.push(reason.clone());
    }
    Analysis {
        state: state.map(str::to_string),
        justification: justification.map(str::to_string),
        // Without a VEX status the finding was accepted (a `.palisadeignore` line): it still
        // affects the component, and nobody will fix it for now.
        response: if state.is_none() {
            vec!["will_not_fix".into()]
        } else {
            Vec::new()
        },
        detail: Some(if detail.is_empty() {
            format!("suppressed by {}", s.source)
        } else {
            format!("suppressed by {}: {}", s.source, detail.join("; "))
        }),
    }
}

fn properties(f: &Finding, suppression: Option<&Suppression>) -> Vec<Property> {
    let mut props: Vec<(&str, String)> = Vec::new();
    if let Some(v) = &f.fixed_version {
        props.push((FIXED_VERSION, v.clone()));
    }
    if let Some(layer) = &f.introduced_by {
        props.push((INTRODUCED_BY, layer.clone()));
    }
    props.push((FIX_STATUS, f.status.to_string()));
    if let Some(source) = &f.severity_source {
        props.push((SEVERITY_SOURCE, source.clone()));
    }
    if let Some(epss) = &f.epss {
        props.push((EPSS_SCORE, epss.score.to_string()));
        props.push((EPSS_PERCENTILE, epss.percentile.to_string()));
    }
    if let Some(kev) = &f.kev {
        props.push((KEV, "true".into()));
        for (name, value) in [
            (KEV_DATE_ADDED, &kev.date_added),
            (KEV_DUE_DATE, &kev.due_date),
            (KEV_REQUIRED_ACTION, &kev.required_action),
        ] {
            if let Some(v) = value {
                props.push((name, v.clone()));
            }
        }
        props.push((
            KEV_RANSOMWARE,
            kev.known_ransomware_campaign_use.to_string(),
        ));
    }
    if let Some(s) = suppression {
        props.push((SUPPRESSED_BY, s.source.clone()));
    }
    props
        .into_iter()
        .map(|(name, value)| Property {
            name: name.into(),
            value: Some(value),
        })
        .collect()
}

fn vulnerability(
    f: &Finding,
    suppression: Option<&Suppression>,
    component: String,
    bom_ref: String,
) -> Vulnerability {
    let mut advisories: Vec<Advisory> = std::iter::once(&f.id)
        .chain(&f.aliases)
        .filter(|id| !id.starts_with("CVE-"))
        .map(|id| Advisory {
            url: format!("https://osv.dev/vulnerability/{id}"),
        })
        .collect();
    if advisories.is_empty() {
        advisories.push(Advisory {
            url: format!("https://osv.dev/vulnerability/{}", f.id),
        });
    }
    let unaffected =
        suppression.is_some_and(|s| matches!(s.status.as_deref(), Some("not_affected" | "fixed")));
    Vulnerability {
        bom_ref: Some(bom_ref),
        id: f.id.clone(),
        source: Some(source(&f.id)),
        references: f
            .aliases
            .iter()
            .map(|a| Reference {
                id: a.clone(),
                source: source(a),
            })
            .collect(),
        ratings: vec![rating(f)],
        cwes: f
            .cwes
            .iter()
            .filter_map(|c| c.strip_prefix("CWE-")?.parse().ok())
            .collect(),
        description: f.summary.clone(),
        recommendation: f
            .fixed_version
            .as_ref()
            .map(|v| format!("Upgrade {} to {v} or later.", f.package)),
        advisories,
        analysis: suppression.map(analysis),
        affects: vec![Affects {
            reference: component,
            versions: if f.version.is_empty() {
                Vec::new()
            } else {
                vec![AffectedVersion {
                    version: f.version.clone(),
                    status: if unaffected { "unaffected" } else { "affected" }.into(),
                }]
            },
        }],
        properties: properties(f, suppression),
    }
}
