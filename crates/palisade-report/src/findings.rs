//! Output of `palisade image scan`: a table for people (grouped by package) and JSON.

use std::io::Write;

use palisade_model::ScanReport;

use crate::ReportError;

/// Formats of `palisade image scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingsFormat {
    Table,
    Json,
}

pub fn write_findings(
    report: &ScanReport,
    format: FindingsFormat,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    match format {
        FindingsFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)?;
        }
        FindingsFormat::Table => table(report, out)?,
    }
    Ok(())
}

fn table(report: &ScanReport, out: &mut dyn Write) -> Result<(), ReportError> {
    let clean = |s: &str| -> String { s.chars().filter(|c| !c.is_control()).collect() };
    let rows: Vec<[String; 8]> = report
        .findings
        .iter()
        .map(|f| {
            [
                clean(&f.package),
                clean(&f.version),
                f.ecosystem.to_string(),
                clean(&f.id),
                f.severity.to_string(),
                f.status.to_string(),
                clean(f.fixed_version.as_deref().unwrap_or("-")),
                match (&f.kev, &f.epss) {
                    (Some(_), _) => "KEV".into(),
                    (None, Some(e)) => format!("EPSS {:.0}%", e.score * 100.0),
                    (None, None) => String::new(),
                },
            ]
        })
        .collect();
    let headers = [
        "PACKAGE",
        "VERSION",
        "TYPE",
        "VULNERABILITY",
        "SEVERITY",
        "STATUS",
        "FIXED IN",
        "EXPLOIT",
    ];
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 8], out: &mut dyn Write| -> std::io::Result<()> {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<w$}  "));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(headers, out)?;
    for row in &rows {
        line(
            [
                &row[0], &row[1], &row[2], &row[3], &row[4], &row[5], &row[6], &row[7],
            ],
            out,
        )?;
    }
    let vulnerable: std::collections::BTreeSet<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.package.as_str(), f.version.as_str()))
        .collect();
    if !report.remediations.is_empty() {
        writeln!(out, "\nUpgrades:")?;
        for r in &report.remediations {
            let unfixed = if r.unfixed > 0 {
                format!(" ({} without a fix)", r.unfixed)
            } else {
                String::new()
            };
            match &r.upgrade_to {
                Some(to) => writeln!(
                    out,
                    "  {} {} -> {}: fixes {}{unfixed}",
                    clean(&r.package),
                    clean(&r.version),
                    clean(to),
                    r.fixes
                )?,
                None => writeln!(
                    out,
                    "  {} {}: no fixed version{unfixed}",
                    clean(&r.package),
                    clean(&r.version)
                )?,
            }
        }
    }
    writeln!(
        out,
        "\n{} findings in {} of {} packages",
        report.findings.len(),
        vulnerable.len(),
        report.packages_scanned
    )?;
    Ok(())
}
