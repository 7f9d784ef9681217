//! NVD CVE API 2.0 JSON (`https://services.nvd.nist.gov/rest/json/cves/2.0`), one page of
//! results, or a yearly data feed file of the same 2.0 shape: `{ "resultsPerPage",
//! "startIndex", "totalResults", "format": "NVD_CVE", "version": "2.0", "vulnerabilities":
//! [ { "cve": { "id", "descriptions", "metrics": { "cvssMetricV40", "cvssMetricV31",
//! "cvssMetricV30", ... }, "weaknesses" } } ] }`.
//!
//! For every CVE we keep the CVSS v3.x and v4.0 base vectors and scores (the NVD's own
//! `Primary` rating when there is one, else the first listed) and the CWE ids.

use serde::Deserialize;

/// A page of the API is at most 2,000 CVEs (a few MB); yearly feeds are bigger. Refuse more.
pub const MAX_NVD_BYTES: usize = 1024 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum NvdError {
    #[error("the NVD document is {0} bytes, more than the {MAX_NVD_BYTES} accepted")]
    TooLarge(usize),
    #[error("not an NVD API 2.0 document: {0}")]
    Json(#[from] serde_json::Error),
}

/// What the matcher needs from NVD about one CVE.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct NvdCve {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_v3: Option<palisade_model::Cvss>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_v4: Option<palisade_model::Cvss>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Default)]
pub struct NvdPage {
    pub total_results: Option<u64>,
    pub start_index: Option<u64>,
    pub results_per_page: Option<u64>,
    /// Entries on this page, kept or not (rejected and malformed ones included): what
    /// paging advances by.
    pub entries: usize,
    pub cves: Vec<NvdCve>,
    pub skipped: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    #[serde(default)]
    results_per_page: Option<u64>,
    #[serde(default)]
    start_index: Option<u64>,
    #[serde(default)]
    total_results: Option<u64>,
    #[serde(default)]
    format: Option<String>,
    vulnerabilities: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Item {
    cve: Cve,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cve {
    id: String,
    #[serde(default)]
    vuln_status: Option<String>,
    #[serde(default)]
    descriptions: Vec<LangString>,
    #[serde(default)]
    metrics: Metrics,
    #[serde(default)]
    weaknesses: Vec<Weakness>,
}

#[derive(Deserialize)]
struct LangString {
    lang: String,
    value: String,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metrics {
    #[serde(default)]
    cvss_metric_v40: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v31: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v30: Vec<Metric>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metric {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    cvss_data: CvssData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssData {
    vector_string: String,
    base_score: f64,
}

#[derive(Deserialize)]
struct Weakness {
    #[serde(default)]
    description: Vec<LangString>,
}

pub fn read_nvd(bytes: &[u8]) -> Result<NvdPage, NvdError> {
    if bytes.len() > MAX_NVD_BYTES {
        return Err(NvdError::TooLarge(bytes.len()));
    }
    let page: Page = serde_json::from_slice(bytes)?;
    if let Some(format) = &page.format {
        if format != "NVD_CVE" {
            tracing::warn!("NVD document of format {format:?}, reading it as NVD_CVE");
        }
    }
    let mut out = NvdPage {
        total_results: page.total_results,
        start_index: page.start_index,
        results_per_page: page.results_per_page,
        entries: page.vulnerabilities.len(),
        ..NvdPage::default()
    };
    for value in page.vulnerabilities {
        match serde_json::from_value::<Item>(value) {
            Ok(item) if item.cve.id.starts_with("CVE-") && item.cve.id.len() <= 32 => {
                if item.cve.vuln_status.as_deref() == Some("Rejected") {
                    continue;
                }
                out.cves.push(convert(item.cve));
            }
            Ok(item) => {
                tracing::warn!("NVD: skipping entry with id {:?}", item.cve.id);
                out.skipped += 1;
            }
            Err(e) => {
                tracing::warn!("NVD: skipping malformed entry: {e}");
                out.skipped += 1;
            }
        }
    }
    Ok(out)
}

fn convert(cve: Cve) -> NvdCve {
    let v3 = pick(&cve.metrics.cvss_metric_v31).or_else(|| pick(&cve.metrics.cvss_metric_v30));
    let v4 = pick(&cve.metrics.cvss_metric_v40);
    let mut cwes: Vec<String> = cve
        .weaknesses
        .iter()
        .flat_map(|w| &w.description)
        .map(|d| d.value.clone())
        .filter(|v| v.starts_with("CWE-"))
        .collect();
    cwes.sort();
    cwes.dedup();
    NvdCve {
        id: cve.id,
        cvss_v3: v3,
        cvss_v4: v4,
        cwes,
        description: cve
            .descriptions
            .into_iter()
            .find(|d| d.lang == "en")
            .map(|d| d.value.chars().take(500).collect()),
    }
}

/// NVD's own (`Primary`) rating, else the first one; scores outside 0..=10 are dropped.
fn pick(metrics: &[Metric]) -> Option<palisade_model::Cvss> {
    metrics
        .iter()
        .find(|m| m.kind.as_deref() == Some("Primary"))
        .or_else(|| metrics.first())
        .filter(|m| (0.0..=10.0).contains(&m.cvss_data.base_score))
        .map(|m| palisade_model::Cvss {
            vector: m.cvss_data.vector_string.clone(),
            score: m.cvss_data.base_score,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_real_shaped_page() {
        let bytes = include_bytes!("../../fixtures/nvd/page-0.json");
        let page = read_nvd(bytes).unwrap();
        assert_eq!(page.total_results, Some(4));
        assert_eq!(page.skipped, 1);
        let requests = page.cves.iter().find(|c| c.id == "CVE-2018-18074").unwrap();
        let v3 = requests.cvss_v3.as_ref().unwrap();
        assert_eq!(v3.score, 7.5);
        assert!(v3.vector.starts_with("CVSS:3.1/AV:N"));
        assert_eq!(requests.cwes, vec!["CWE-522".to_string()]);
        let with_v4 = page.cves.iter().find(|c| c.cvss_v4.is_some()).unwrap();
        assert!(with_v4
            .cvss_v4
            .as_ref()
            .unwrap()
            .vector
            .starts_with("CVSS:4.0/"));
        assert!(
            !page.cves.iter().any(|c| c.id == "CVE-2099-0001"),
            "rejected CVEs are dropped"
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(read_nvd(b"{}").is_err());
        assert!(read_nvd(b"not json").is_err());
    }
}
