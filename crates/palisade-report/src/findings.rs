//! Output of `palisade image scan`: a table for people (grouped by package) and JSON.

use std::io::Write;

use palisade_model::ScanReport;

use crate::ReportError;

/// Formats of `palisade image scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingsFormat {
    Table,
    /// The table with severities in colour (ANSI), for a terminal.
    ColorTable,
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
        FindingsFormat::Table => table(report, false, out)?,
        FindingsFormat::ColorTable => table(report, true, out)?,
    }
    Ok(())
}

/// ANSI colour of a severity.
fn severity_color(severity: palisade_model::Severity) -> &'static str {
    use palisade_model::Severity;
    match severity {
        Severity::Critical => "\x1b[1;31m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[34m",
        Severity::Unknown => "\x1b[2m",
    }
}

/// The findings grouped by package: groups in the order of their most urgent finding (the
/// report is already ranked), findings within a group in rank order; the package's name,
/// version and type are printed on its first line only.
fn table(report: &ScanReport, color: bool, out: &mut dyn Write) -> Result<(), ReportError> {
    let clean = |s: &str| -> String { s.chars().filter(|c| !c.is_control()).collect() };
    let mut groups: Vec<(
        &str,
        &str,
        palisade_model::Ecosystem,
        Vec<&palisade_model::Finding>,
    )> = Vec::new();
    for f in &report.findings {
        match groups
            .iter_mut()
            .find(|g| g.0 == f.package && g.1 == f.version && g.2 == f.ecosystem)
        {
            Some(group) => group.3.push(f),
            None => groups.push((&f.package, &f.version, f.ecosystem, vec![f])),
        }
    }
    let ordered: Vec<(bool, &palisade_model::Finding)> = groups
        .iter()
        .flat_map(|g| g.3.iter().enumerate().map(|(i, f)| (i == 0, *f)))
        .collect();
    let severities: Vec<palisade_model::Severity> =
        ordered.iter().map(|(_, f)| f.severity).collect();
    let rows: Vec<[String; 8]> = ordered
        .iter()
        .map(|&(first, f)| {
            let package_cell = |text: String| if first { text } else { String::new() };
            [
                package_cell(clean(&f.package)),
                package_cell(clean(&f.version)),
                package_cell(f.ecosystem.to_string()),
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
    let line = |cells: [&str; 8],
                severity: Option<palisade_model::Severity>,
                out: &mut dyn Write|
     -> std::io::Result<()> {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let padded = if i + 1 == cells.len() {
                cell.to_string()
            } else {
                format!("{cell:<w$}  ")
            };
            // Column 4 is the severity.
            match severity.filter(|_| color && i == 4) {
                Some(s) => text.push_str(&format!("{}{padded}\x1b[0m", severity_color(s))),
                None => text.push_str(&padded),
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(headers, None, out)?;
    for (row, severity) in rows.iter().zip(&severities) {
        line(
            [
                &row[0], &row[1], &row[2], &row[3], &row[4], &row[5], &row[6], &row[7],
            ],
            Some(*severity),
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
