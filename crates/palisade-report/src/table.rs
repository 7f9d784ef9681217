//! The human-readable package table (`--format table`): one row per package with aligned
//! columns NAME, VERSION, TYPE (ecosystem), SOURCE (source package, when recorded) and LAYER
//! (the short diff id of the layer that brought the package in). Control characters from
//! package metadata are replaced so a hostile image cannot drive the terminal.

use std::io::Write;

use palisade_model::Inventory;

use crate::ReportError;

const HEADERS: [&str; 5] = ["NAME", "VERSION", "TYPE", "SOURCE", "LAYER"];

pub(crate) fn write(inv: &Inventory, out: &mut dyn Write) -> Result<(), ReportError> {
    let rows: Vec<[String; 5]> = inv
        .packages
        .iter()
        .map(|p| {
            let source = match (&p.source_name, &p.source_version) {
                (Some(n), Some(v)) => format!("{n}@{v}"),
                (Some(n), None) => n.clone(),
                (None, Some(v)) => format!("@{v}"),
                (None, None) => String::new(),
            };
            [
                clean(&p.name),
                clean(&p.version),
                p.ecosystem.to_string(),
                clean(&source),
                p.introduced_by
                    .as_deref()
                    .map(short_digest)
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    write_row(out, &HEADERS.map(str::to_string), &widths)?;
    for row in &rows {
        write_row(out, row, &widths)?;
    }
    Ok(())
}

fn write_row(
    out: &mut dyn Write,
    row: &[String; 5],
    widths: &[usize; 5],
) -> Result<(), ReportError> {
    let mut line = String::new();
    for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        line.push_str(cell);
        if i + 1 < row.len() {
            let pad = width.saturating_sub(cell.chars().count());
            line.extend(std::iter::repeat_n(' ', pad));
        }
    }
    writeln!(out, "{}", line.trim_end())?;
    Ok(())
}

/// `sha256:0123456789abcdef...` → `0123456789ab`.
fn short_digest(d: &str) -> String {
    let hex = d.split_once(':').map_or(d, |(_, h)| h);
    clean(&hex.chars().take(12).collect::<String>())
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::{Artifact, ArtifactKind, Ecosystem, Package};

    #[test]
    fn columns_are_aligned() {
        let mut a = Package::new(
            "libc6",
            "2.36-9+deb12u4",
            Ecosystem::Deb,
            "var/lib/dpkg/status",
        );
        a.source_name = Some("glibc".into());
        a.introduced_by = Some("sha256:0123456789abcdef0123".into());
        let b = Package::new("requests\x1b[31m", "2.31.0", Ecosystem::PyPI, "x");
        let inv = Inventory {
            source: "x".into(),
            artifact: Artifact {
                name: "x".into(),
                kind: ArtifactKind::Image,
                manifest_digest: None,
                config_digest: None,
                repo_tags: vec![],
                repo_digests: vec![],
                architecture: None,
                os: None,
                layers: vec![],
            },
            os: None,
            packages: vec![a, b],
        };
        let mut out = Vec::new();
        write(&inv, &mut out).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text,
            "NAME           VERSION         TYPE  SOURCE  LAYER\n\
             libc6          2.36-9+deb12u4  deb   glibc   0123456789ab\n\
             requests?[31m  2.31.0          PyPI\n"
        );
    }
}
