//! Text renderings of query answers, attack paths and risk rankings (the CLI's `table`
//! output; JSON is the serde form of the same values).

use std::fmt::Write;

use serde_json::Value;

use crate::paths::PathReport;
use crate::risk::WorkloadRisk;
use crate::sql::Table;

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.replace(['\n', '\t'], " "),
        other => other.to_string(),
    }
}

/// Columns aligned, one row a line.
pub fn table(t: &Table) -> String {
    let cells: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(cell).collect())
        .collect();
    let mut widths: Vec<usize> = t.columns.iter().map(|c| c.chars().count()).collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count().min(80));
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, items: &[String]| {
        let mut s = String::new();
        for (i, c) in items.iter().enumerate() {
            if i + 1 == items.len() {
                s.push_str(c);
            } else {
                let _ = write!(s, "{c:<w$}  ", w = widths[i]);
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    let header: Vec<String> = t.columns.iter().map(|c| c.to_uppercase()).collect();
    line(&mut out, &header);
    for r in &cells {
        line(&mut out, r);
    }
    let _ = writeln!(
        out,
        "({} row{}{})",
        t.rows.len(),
        if t.rows.len() == 1 { "" } else { "s" },
        if t.truncated { ", truncated" } else { "" }
    );
    out
}

pub fn paths(r: &PathReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} attack paths ({})",
        r.total,
        r.by_target
            .iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !r.fixes.is_empty() {
        out.push_str("\nFixes that cut the most paths:\n");
        for f in r.fixes.iter().take(10) {
            let _ = writeln!(out, "  {:>6}  {}", f.paths, f.fix);
        }
    }
    for (i, p) in r.paths.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n#{} score {:.3}  {} ({}) → {} ({}), {} step{}",
            i + 1,
            p.score,
            p.entry,
            p.entry_kind,
            p.target,
            p.target_kind,
            p.steps.len(),
            if p.steps.len() == 1 { "" } else { "s" }
        );
        for (n, s) in p.steps.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. [{} {}] {} → {}\n     {}",
                n + 1,
                s.kind,
                s.mitre,
                s.from,
                s.to,
                s.evidence
            );
        }
        match &p.fix {
            Some(f) => {
                let _ = writeln!(out, "  fix: {f}");
            }
            None => out.push_str("  fix: no single change cuts this path\n"),
        }
    }
    out
}

pub fn risk(list: &[WorkloadRisk], explain: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{:>4}  {:>9}  WORKLOAD", "RANK", "SCORE");
    for (i, w) in list.iter().enumerate() {
        let _ = writeln!(out, "{:>4}  {:>9.2}  {}", i + 1, w.score, w.workload);
        if i < explain {
            for f in w.factors.iter().filter(|f| f.multiplier > 1.0) {
                let _ = writeln!(
                    out,
                    "{:17}×{:.2}  {}: {} ({})",
                    "", f.multiplier, f.name, f.value, f.why
                );
            }
        }
    }
    out
}
