//! CISA's Known Exploited Vulnerabilities catalog, in the JSON CISA publishes
//! (`known_exploited_vulnerabilities.json`: `catalogVersion`, `dateReleased`, `vulnerabilities`).
//! Entries without a CVE id are counted and skipped; one bad entry never fails the load.

use std::collections::HashMap;

use palisade_model::KevInfo;
use serde::Deserialize;

#[derive(Debug, Default)]
pub struct KevCatalog {
    pub version: Option<String>,
    pub released: Option<String>,
    pub entries: HashMap<String, KevInfo>,
    pub skipped: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("not a CISA KEV catalog: {0}")]
pub struct KevError(#[from] serde_json::Error);

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Catalog {
    #[serde(default)]
    catalog_version: Option<String>,
    #[serde(default)]
    date_released: Option<String>,
    vulnerabilities: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(default)]
    date_added: Option<String>,
    #[serde(default)]
    due_date: Option<String>,
    #[serde(default)]
    required_action: Option<String>,
    #[serde(default)]
    known_ransomware_campaign_use: Option<String>,
    #[serde(default)]
    vulnerability_name: Option<String>,
}

pub fn read_kev(bytes: &[u8]) -> Result<KevCatalog, KevError> {
    let catalog: Catalog = serde_json::from_slice(bytes)?;
    let mut out = KevCatalog {
        version: catalog.catalog_version,
        released: catalog.date_released,
        ..KevCatalog::default()
    };
    for value in catalog.vulnerabilities {
        match serde_json::from_value::<Entry>(value) {
            Ok(e) if e.cve_id.starts_with("CVE-") => {
                out.entries.insert(
                    e.cve_id,
                    KevInfo {
                        date_added: e.date_added,
                        due_date: e.due_date,
                        required_action: e.required_action,
                        known_ransomware_campaign_use: e
                            .known_ransomware_campaign_use
                            .is_some_and(|k| k.eq_ignore_ascii_case("known")),
                        name: e.vulnerability_name,
                    },
                );
            }
            Ok(_) | Err(_) => out.skipped += 1,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_catalog_loads() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/kev/known_exploited_vulnerabilities.json");
        let kev = read_kev(&std::fs::read(path).unwrap()).unwrap();
        assert_eq!(kev.entries.len(), 1404);
        assert_eq!(kev.skipped, 0);
        let log4shell = &kev.entries["CVE-2021-44228"];
        assert!(log4shell.date_added.is_some() && log4shell.required_action.is_some());
    }

    #[test]
    fn bad_entries_are_skipped() {
        let kev = read_kev(
            br#"{"vulnerabilities":[{"cveID":"CVE-2020-1","dateAdded":"2021-11-03"},
                {"cveID":"not-a-cve"},{"nope":1},42]}"#,
        )
        .unwrap();
        assert_eq!(kev.entries.len(), 1);
        assert_eq!(kev.skipped, 3);
        assert!(read_kev(b"[]").is_err());
    }
}
