//! An in-memory index of OSV records by (ecosystem, package name), and the matching of an
//! inventory's packages against it.

use std::collections::{BTreeSet, HashMap};

use palisade_model::{Cvss, Ecosystem, Finding, Inventory, Package, Severity};

use crate::matcher::{matching, normalize_name};
use crate::osv::Record;

#[derive(Debug, Default)]
pub struct OsvIndex {
    records: Vec<Record>,
    by_package: HashMap<(String, String), Vec<usize>>,
}

impl OsvIndex {
    pub fn new(records: Vec<Record>) -> Self {
        let mut by_package: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, record) in records.iter().enumerate() {
            for affected in &record.affected {
                if let Some(p) = &affected.package {
                    let key = (
                        base_ecosystem(&p.ecosystem).to_string(),
                        normalize_name(base_ecosystem(&p.ecosystem), &p.name),
                    );
                    let slot = by_package.entry(key).or_default();
                    if slot.last() != Some(&i) {
                        slot.push(i);
                    }
                }
            }
        }
        Self {
            records,
            by_package,
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Findings for every package of `inventory` the index has advisories for, one per
    /// vulnerability per package, most severe first, then by package and id.
    pub fn findings(&self, inventory: &Inventory) -> Vec<Finding> {
        let mut findings = Vec::new();
        for package in &inventory.packages {
            let Some((ecosystem, name)) = osv_coordinates(package) else {
                continue;
            };
            let Some(indices) = self
                .by_package
                .get(&(ecosystem.to_string(), normalize_name(ecosystem, &name)))
            else {
                continue;
            };
            let candidates = indices.iter().map(|&i| &self.records[i]);
            let matches = matching(candidates, ecosystem, &name, &package.version);
            findings.extend(merge_aliases(package, matches));
        }
        // Most severe first; `apply_kev` then moves exploited ones to the top (stable sort).
        findings.sort_by(|a, b| {
            (b.severity, &a.package, &a.version, &a.id)
                .cmp(&(a.severity, &b.package, &b.version, &b.id))
        });
        findings
    }
}

/// Marks the findings CISA lists as exploited, and puts them first.
pub fn apply_kev(findings: &mut [Finding], kev: &crate::feed::kev::KevCatalog) {
    for finding in findings.iter_mut() {
        finding.kev = std::iter::once(&finding.id)
            .chain(&finding.aliases)
            .find_map(|id| kev.entries.get(id))
            .cloned();
    }
    findings.sort_by_key(|f| f.kev.is_none());
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

/// `Debian:12` → `Debian`.
fn base_ecosystem(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or(ecosystem)
}

/// The OSV ecosystem and package name of one of our packages (language ecosystems only for
/// now: OS packages are matched by distribution and source package, which needs the release).
fn osv_coordinates(package: &Package) -> Option<(&'static str, String)> {
    match package.ecosystem {
        Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm => None,
        Ecosystem::Maven => {
            let group = package.namespace.as_deref()?;
            Some(("Maven", format!("{group}:{}", package.name)))
        }
        other => Some((osv_ecosystem(other)?, package.name.clone())),
    }
}

/// Advisories naming the same vulnerability (sharing an id or alias) become one finding,
/// identified by its CVE when one is known.
fn merge_aliases(package: &Package, matches: Vec<crate::matcher::Match<'_>>) -> Vec<Finding> {
    /// Advisories found to name one vulnerability, and what they say about it.
    struct Group {
        ids: BTreeSet<String>,
        fixed: Option<String>,
        summary: Option<String>,
        cvss: Option<Cvss>,
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
        match groups.iter_mut().find(|g| !g.ids.is_disjoint(&ids)) {
            Some(group) => {
                group.ids.extend(ids);
                if cvss.as_ref().map(|c| c.score) > group.cvss.as_ref().map(|c| c.score) {
                    group.cvss = cvss;
                }
                group.fixed = group.fixed.take().or(m.fixed);
                group.summary = group.summary.take().or(summary);
            }
            None => groups.push(Group {
                ids,
                fixed: m.fixed,
                summary,
                cvss,
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
            Finding {
                id,
                aliases,
                summary: group.summary,
                severity: group
                    .cvss
                    .as_ref()
                    .map_or(Severity::Unknown, |c| Severity::from_cvss_score(c.score)),
                cvss: group.cvss,
                package: package.name.clone(),
                version: package.version.clone(),
                ecosystem: package.ecosystem,
                purl: package.purl.clone(),
                fixed_version: group.fixed,
                locations: package.locations.clone(),
                introduced_by: package.introduced_by.clone(),
                kev: None,
            }
        })
        .collect()
}

/// Per vulnerable package, the upgrade that fixes all its fixable findings: the highest of
/// their fixed versions under the package's version scheme.
pub fn remediations(findings: &[Finding]) -> Vec<palisade_model::Remediation> {
    use std::collections::BTreeMap;
    let mut by_package: BTreeMap<(String, String, String), Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_package
            .entry((
                f.ecosystem.to_string(),
                f.package.clone(),
                f.version.clone(),
            ))
            .or_default()
            .push(f);
    }
    by_package
        .into_values()
        .filter_map(|group| {
            let first = group.first()?;
            let scheme = osv_ecosystem(first.ecosystem).and_then(crate::matcher::scheme_for);
            let fixed: Vec<&str> = group
                .iter()
                .filter_map(|f| f.fixed_version.as_deref())
                .collect();
            let upgrade_to = fixed
                .iter()
                .copied()
                .max_by(|a, b| match scheme {
                    Some(s) => s.compare(a, b).unwrap_or(std::cmp::Ordering::Equal),
                    None => a.cmp(b),
                })
                .map(str::to_string);
            Some(palisade_model::Remediation {
                package: first.package.clone(),
                version: first.version.clone(),
                ecosystem: first.ecosystem,
                upgrade_to,
                fixes: fixed.len(),
                unfixed: group.len() - fixed.len(),
                introduced_by: first.introduced_by.clone(),
            })
        })
        .collect()
}

/// The OSV ecosystem name of one of our ecosystems (for OS packages, the base distribution
/// name; matching them needs the release too).
fn osv_ecosystem(ecosystem: Ecosystem) -> Option<&'static str> {
    Some(match ecosystem {
        Ecosystem::PyPI => "PyPI",
        Ecosystem::Npm => "npm",
        Ecosystem::Go => "Go",
        Ecosystem::Cargo => "crates.io",
        Ecosystem::RubyGems => "RubyGems",
        Ecosystem::Packagist => "Packagist",
        Ecosystem::NuGet => "NuGet",
        Ecosystem::Maven => "Maven",
        Ecosystem::Deb => "Debian",
        Ecosystem::Apk => "Alpine",
        Ecosystem::Rpm => "Red Hat",
    })
}
