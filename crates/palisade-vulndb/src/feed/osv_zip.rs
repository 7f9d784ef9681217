//! OSV per-ecosystem `all.zip` (one JSON record per entry, as osv.dev publishes them).
//!
//! Entries are read one at a time (bounded memory): entries that are not `.json`, have unsafe
//! names or are larger than the cap are refused and counted, malformed records are counted and
//! skipped with a warning; one bad record never aborts the load.

use std::io::{Read, Seek};

use crate::osv::Record;

/// No real OSV record comes near this; bigger entries are refused unread.
pub const MAX_RECORD_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct OsvLoad {
    pub records: Vec<Record>,
    /// Entry name and why it was skipped.
    pub skipped: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum OsvZipError {
    #[error("not a readable OSV zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// Reads every record of an OSV `all.zip`.
pub fn read_all<R: Read + Seek>(reader: R) -> Result<OsvLoad, OsvZipError> {
    let mut records = Vec::new();
    let skipped = read_each(reader, |record| records.push(record))?;
    Ok(OsvLoad { records, skipped })
}

/// Reads an OSV `all.zip` one record at a time, handing each to `sink`; returns the entries
/// skipped and why.
pub fn read_each<R: Read + Seek>(
    reader: R,
    mut sink: impl FnMut(Record),
) -> Result<Vec<(String, String)>, OsvZipError> {
    let mut archive = zip::ZipArchive::new(reader)?;
    let mut load = Skipped::default();
    for index in 0..archive.len() {
        let mut entry = match archive.by_index(index) {
            Ok(e) => e,
            Err(e) => {
                load.skipped.push((format!("#{index}"), e.to_string()));
                continue;
            }
        };
        let name = entry.name().to_string();
        if entry.is_dir() {
            continue;
        }
        if entry.enclosed_name().is_none() {
            load.skipped.push((name, "unsafe entry name".into()));
            continue;
        }
        if !name.ends_with(".json") {
            load.skipped.push((name, "not a .json entry".into()));
            continue;
        }
        if entry.size() > MAX_RECORD_BYTES {
            load.skipped
                .push((name, format!("larger than {MAX_RECORD_BYTES} bytes")));
            continue;
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        // The declared size can lie: never read more than the cap.
        if let Err(e) = (&mut entry)
            .take(MAX_RECORD_BYTES + 1)
            .read_to_end(&mut bytes)
        {
            load.skipped.push((name, e.to_string()));
            continue;
        }
        if bytes.len() as u64 > MAX_RECORD_BYTES {
            load.skipped
                .push((name, format!("larger than {MAX_RECORD_BYTES} bytes")));
            continue;
        }
        match serde_json::from_slice::<Record>(&bytes) {
            Ok(record) => sink(record),
            Err(e) => {
                tracing::warn!("skipping malformed OSV record {name}: {e}");
                load.skipped.push((name, e.to_string()));
            }
        }
    }
    Ok(load.skipped)
}

#[derive(Default)]
struct Skipped {
    skipped: Vec<(String, String)>,
}
