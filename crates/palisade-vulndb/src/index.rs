//! An in-memory index of OSV records by (ecosystem, package name): the advisory source for
//! OSV files given on the command line, and the remediation summary.

use std::collections::HashMap;

use palisade_model::{Finding, Inventory};

use crate::assess::{assess, AdvisorySource, NoEnrichment};
use crate::coordinates::{osv_ecosystem, store_ecosystem};
use crate::matcher::normalize_name;
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
                    let ecosystem = store_ecosystem(&p.ecosystem);
                    let name = normalize_name(&ecosystem, &p.name);
                    let slot = by_package.entry((ecosystem, name)).or_default();
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
        // The in-memory source never fails.
        assess(inventory, self, &NoEnrichment).unwrap_or_default()
    }
}

impl AdvisorySource for OsvIndex {
    fn advisories_for(
        &self,
        ecosystem: &str,
        name: &str,
    ) -> Result<Vec<Record>, crate::StoreError> {
        Ok(self
            .by_package
            .get(&(ecosystem.to_string(), name.to_string()))
            .map(|indices| indices.iter().map(|&i| self.records[i].clone()).collect())
            .unwrap_or_default())
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
    crate::assess::rank(findings);
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
            let scheme = crate::matcher::scheme_for(osv_ecosystem(first.ecosystem));
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
