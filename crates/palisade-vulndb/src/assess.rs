//! From an inventory to prioritised findings: look every package up where its publisher
//! files advisories ([`crate::coordinates`]), evaluate the ranges ([`crate::matcher`]), merge
//! advisories that name one vulnerability, then rate and rank each finding.
//!
//! Rating, in order of trust: the distribution's own rating (it knows how the package is
//! built and used), else NVD's CVSS (v3.x, else v4.0), else the advisory's own CVSS vector.
//! The vector and score shown are NVD's when NVD has them, else the advisory's.
//! Ranking: exploited in the wild (CISA KEV) first, then severity, then EPSS probability.

use std::collections::BTreeSet;

use palisade_model::{Cvss, Epss, Finding, FixStatus, Inventory, KevInfo, Package, Severity};

use crate::coordinates::queries;
use crate::feed::nvd::NvdCve;
use crate::matcher::{matching, Match};
use crate::osv::{DistroVerdict, Record};

/// Where advisories come from: the on-disk store or an in-memory index of OSV files.
pub trait AdvisorySource {
    /// Every record with an `affected` entry for `name` (already normalised) in `ecosystem`
    /// (a lookup key, see [`crate::coordinates::store_ecosystem`]).
    fn advisories_for(&self, ecosystem: &str, name: &str)
        -> Result<Vec<Record>, crate::StoreError>;
}

/// What enrichment knows about one CVE.
#[derive(Debug, Clone, Default)]
pub struct CveFacts {
    pub nvd: Option<NvdCve>,
    pub epss: Option<Epss>,
    pub kev: Option<KevInfo>,
}

/// Per-CVE facts that rate and rank findings. Every method may answer `None`.
pub trait Enrichment {
    /// Everything known about `cve` (sources with one lookup for all three override this).
    fn facts(&self, cve: &str) -> CveFacts {
        CveFacts {
            nvd: self.nvd(cve),
            epss: self.epss(cve),
            kev: self.kev(cve),
        }
    }

    fn nvd(&self, _cve: &str) -> Option<NvdCve> {
        None
    }
    fn epss(&self, _cve: &str) -> Option<Epss> {
        None
    }
    fn kev(&self, _cve: &str) -> Option<KevInfo> {
        None
    }
}

/// No enrichment at all.
#[derive(Debug, Default)]
pub struct NoEnrichment;
impl Enrichment for NoEnrichment {}

impl Enrichment for crate::feed::kev::KevCatalog {
    fn kev(&self, cve: &str) -> Option<KevInfo> {
        self.entries.get(cve).cloned()
    }
}

/// Findings for every package of `inventory`, one per vulnerability per package, rated and
/// ranked (see the module documentation).
pub fn assess(
    inventory: &Inventory,
    source: &dyn AdvisorySource,
    enrichment: &dyn Enrichment,
) -> Result<Vec<Finding>, crate::StoreError> {
    let lookups: Vec<Vec<crate::coordinates::Query>> = inventory
        .packages
        .iter()
        .map(|p| queries(p, inventory.os.as_ref()))
        .collect();
    // Each (ecosystem, name) is looked up once (the binaries of one source package share it),
    // in key order, so the store reads its pages front to back.
    let mut keys: Vec<(&str, &str)> = lookups
        .iter()
        .flatten()
        .map(|q| (q.ecosystem.as_str(), q.name.as_str()))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut candidates = std::collections::HashMap::with_capacity(keys.len());
    for (ecosystem, name) in keys {
        let records = source.advisories_for(ecosystem, name)?;
        if !records.is_empty() {
            candidates.insert((ecosystem, name), records);
        }
    }
    let mut findings = Vec::new();
    for (package, package_queries) in inventory.packages.iter().zip(&lookups) {
        let mut seen = BTreeSet::new();
        for query in package_queries {
            let Some(records) = candidates.get(&(query.ecosystem.as_str(), query.name.as_str()))
            else {
                continue;
            };
            let matches = matching(records, &query.ecosystem, &query.name, &query.version);
            for finding in merge_aliases(package, matches) {
                if seen.insert(finding.id.clone()) {
                    findings.push(finding);
                }
            }
        }
    }
    // The same CVE shows up in many packages (every binary of one source package): look
    // each one up once.
    let mut facts = std::collections::HashMap::new();
    for finding in &mut findings {
        enrich(finding, enrichment, &mut facts);
    }
    rank(&mut findings);
    Ok(findings)
}

/// Exploited first, then most severe, then most likely to be exploited, then by name.
pub fn rank(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let epss = |f: &Finding| f.epss.as_ref().map_or(-1.0, |e| e.score);
        (a.kev.is_none(), std::cmp::Reverse(a.severity))
            .cmp(&(b.kev.is_none(), std::cmp::Reverse(b.severity)))
            .then(epss(b).total_cmp(&epss(a)))
            .then_with(|| (&a.package, &a.version, &a.id).cmp(&(&b.package, &b.version, &b.id)))
    });
}

fn enrich(
    finding: &mut Finding,
    enrichment: &dyn Enrichment,
    cache: &mut std::collections::HashMap<String, CveFacts>,
) {
    let mut known = CveFacts::default();
    for id in std::iter::once(&finding.id).chain(&finding.aliases) {
        if !id.starts_with("CVE-") {
            continue;
        }
        let facts = cache
            .entry(id.clone())
            .or_insert_with(|| enrichment.facts(id));
        known.nvd = known.nvd.take().or_else(|| facts.nvd.clone());
        known.epss = known.epss.take().or_else(|| facts.epss.clone());
        known.kev = known.kev.take().or_else(|| facts.kev.clone());
    }
    let nvd = known.nvd;
    finding.epss = known.epss;
    finding.kev = known.kev;
    if let Some(nvd) = nvd {
        finding.cwes = nvd.cwes.clone();
        if let Some(cvss) = nvd.cvss_v3.or(nvd.cvss_v4) {
            let distro_rated = finding
                .severity_source
                .as_deref()
                .is_some_and(|s| s != "advisory");
            if !distro_rated {
                finding.severity = Severity::from_cvss_score(cvss.score);
                finding.severity_source = Some("nvd".into());
            }
            finding.cvss = Some(cvss);
        }
        if finding.summary.is_none() {
            finding.summary = nvd.description.map(|d| d.chars().take(200).collect());
        }
    }
}

/// The highest CVSS v3 base score among a record's `severity` entries (vectors that do not
/// parse are ignored).
fn record_cvss(record: &Record) -> Option<Cvss> {
    record
        .severity
        .iter()
        .filter(|s| s.kind == "CVSS_V3")
        .filter_map(|s| {
            let base: cvss::v3::Base = s.score.parse().ok()?;
            Some(Cvss {
                vector: s.score.clone(),
                score: base.score().value(),
            })
        })
        .max_by(|a, b| a.score.total_cmp(&b.score))
}

/// A distribution's rating carried in the OSV record itself: Ubuntu publishes its priority as
/// a `severity` entry of type `Ubuntu` (`negligible`, `low`, `medium`, `high`, `critical`).
fn publisher_rating(record: &Record) -> Option<DistroVerdict> {
    let entry = record.severity.iter().find(|s| s.kind == "Ubuntu")?;
    let severity = match entry.score.to_ascii_lowercase().as_str() {
        "negligible" | "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "critical" => Severity::Critical,
        _ => return None,
    };
    Some(DistroVerdict {
        source: "ubuntu".into(),
        // Only the rating comes from here; the status follows from the ranges.
        status: FixStatus::Affected,
        severity: Some(severity),
    })
}

/// Advisories naming the same vulnerability (sharing an id or alias) become one finding,
/// identified by its CVE when one is known.
pub(crate) fn merge_aliases(package: &Package, matches: Vec<Match<'_>>) -> Vec<Finding> {
    /// Advisories found to name one vulnerability, and what they say about it.
    struct Group {
        ids: BTreeSet<String>,
        fixed: Option<String>,
        summary: Option<String>,
        cvss: Option<Cvss>,
        verdict: Option<DistroVerdict>,
    }
    let mut groups: Vec<Group> = Vec::new();
    for m in matches {
        let cvss = record_cvss(m.record);
        let mut ids: BTreeSet<String> = m.record.aliases.iter().cloned().collect();
        ids.insert(m.record.id.clone());
        let summary = m.record.summary.clone().or_else(|| {
            m.record
                .details
                .as_deref()
                .map(|d| d.chars().take(200).collect())
        });
        let verdict = m
            .affected
            .distro
            .clone()
            .or_else(|| publisher_rating(m.record));
        match groups.iter_mut().find(|g| !g.ids.is_disjoint(&ids)) {
            Some(group) => {
                group.ids.extend(ids);
                if cvss.as_ref().map(|c| c.score) > group.cvss.as_ref().map(|c| c.score) {
                    group.cvss = cvss;
                }
                group.fixed = group.fixed.take().or(m.fixed);
                group.summary = group.summary.take().or(summary);
                group.verdict = group.verdict.take().or(verdict);
            }
            None => groups.push(Group {
                ids,
                fixed: m.fixed,
                summary,
                cvss,
                verdict,
            }),
        }
    }
    groups
        .into_iter()
        .map(|group| {
            let ids = group.ids;
            let id = ids
                .iter()
                .find(|i| i.starts_with("CVE-"))
                .or_else(|| ids.iter().next())
                .cloned()
                .unwrap_or_default();
            let aliases = ids.into_iter().filter(|i| *i != id).collect();
            let (severity, severity_source) = match (&group.verdict, &group.cvss) {
                (
                    Some(DistroVerdict {
                        severity: Some(s),
                        source,
                        ..
                    }),
                    _,
                ) => (*s, Some(source.clone())),
                (_, Some(c)) => (Severity::from_cvss_score(c.score), Some("advisory".into())),
                _ => (Severity::Unknown, None),
            };
            let status = match (&group.verdict, &group.fixed) {
                (_, Some(_)) => FixStatus::Fixed,
                (Some(v), None) if v.status != FixStatus::Fixed => v.status,
                _ => FixStatus::Affected,
            };
            Finding {
                id,
                aliases,
                summary: group.summary,
                severity,
                cvss: group.cvss,
                package: package.name.clone(),
                version: package.version.clone(),
                ecosystem: package.ecosystem,
                purl: package.purl.clone(),
                fixed_version: group.fixed,
                locations: package.locations.clone(),
                introduced_by: package.introduced_by.clone(),
                kev: None,
                epss: None,
                status,
                severity_source,
                cwes: Vec::new(),
            }
        })
        .collect()
}
