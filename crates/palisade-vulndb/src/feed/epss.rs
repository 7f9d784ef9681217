//! FIRST's EPSS scores, in the CSV FIRST publishes (`epss_scores-current.csv.gz`, gzip
//! handled by the caller): an optional `#model_version:...,score_date:...` comment line, a
//! `cve,epss,percentile` header, then one line per CVE. Lines are read one at a time; bad lines
//! are counted and skipped.

use std::io::BufRead;

#[derive(Debug, Clone, PartialEq)]
pub struct EpssScore {
    pub cve: String,
    pub score: f64,
    pub percentile: f64,
}

#[derive(Debug, Default)]
pub struct EpssLoad {
    pub model_version: Option<String>,
    pub score_date: Option<String>,
    pub scores: Vec<EpssScore>,
    pub skipped: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum EpssError {
    #[error("reading the EPSS file: {0}")]
    Io(#[from] std::io::Error),
    #[error("not an EPSS CSV: expected a `cve,epss,percentile` header, found {0:?}")]
    NoHeader(String),
}

/// No real line is longer than about 40 bytes.
const MAX_LINE: usize = 4096;

pub fn read_epss(reader: impl BufRead) -> Result<EpssLoad, EpssError> {
    let mut load = EpssLoad::default();
    let mut header_seen = false;
    let mut reader = reader;
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = std::io::Read::take(reader.by_ref(), MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        if line.len() > MAX_LINE && !line.ends_with(b"\n") {
            // Overlong line: skip the rest of it.
            load.skipped += 1;
            let mut rest = Vec::new();
            reader.read_until(b'\n', &mut rest)?;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if let Some(comment) = text.strip_prefix('#') {
            for part in comment.split(',') {
                if let Some((key, value)) = part.split_once(':') {
                    match key.trim() {
                        "model_version" => load.model_version = Some(value.trim().to_string()),
                        "score_date" => load.score_date = Some(value.trim().to_string()),
                        _ => {}
                    }
                }
            }
            continue;
        }
        if !header_seen {
            if text.replace(' ', "") != "cve,epss,percentile" {
                return Err(EpssError::NoHeader(text.chars().take(80).collect()));
            }
            header_seen = true;
            continue;
        }
        match parse_line(text) {
            Some(score) => load.scores.push(score),
            None => load.skipped += 1,
        }
    }
    if !header_seen {
        return Err(EpssError::NoHeader(String::new()));
    }
    Ok(load)
}

fn parse_line(text: &str) -> Option<EpssScore> {
    let mut fields = text.split(',');
    let cve = fields.next()?.trim();
    let score: f64 = fields.next()?.trim().parse().ok()?;
    let percentile: f64 = fields.next()?.trim().parse().ok()?;
    let valid = cve.starts_with("CVE-")
        && cve.len() <= 32
        && (0.0..=1.0).contains(&score)
        && (0.0..=1.0).contains(&percentile);
    valid.then(|| EpssScore {
        cve: cve.to_string(),
        score,
        percentile,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_published_shape() {
        let csv = "#model_version:v2025.03.14,score_date:2026-11-23T12:55:00Z\n\
                   cve,epss,percentile\n\
                   CVE-2018-18074,0.01524,0.80597\n\
                   CVE-2020-11651,0.97480,0.99971\n\
                   CVE-bad,2,3\n";
        let load = read_epss(csv.as_bytes()).unwrap();
        assert_eq!(load.model_version.as_deref(), Some("v2025.03.14"));
        assert_eq!(load.score_date.as_deref(), Some("2026-11-23T12:55:00Z"));
        assert_eq!(load.scores.len(), 2);
        assert_eq!(load.skipped, 1);
        assert_eq!(load.scores[1].score, 0.9748);
    }

    #[test]
    fn no_header_is_an_error() {
        assert!(read_epss("a,b\n1,2\n".as_bytes()).is_err());
        assert!(read_epss("".as_bytes()).is_err());
    }
}
