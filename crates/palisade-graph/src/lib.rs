//! The security graph: everything Palisade knows about a cluster as one graph of how an
//! attacker moves, and what to ask of it.
//!
//! - [`build`]: inputs (Kubernetes objects, scan reports, alerts) → [`Ctx`] (the graph plus
//!   the facts edge kinds read). Pure.
//! - [`edges`]: one file per attack edge kind, the table [`edges::EDGE_KINDS`].
//! - [`sql`]: the graph as SQLite tables (in memory) and views per node kind; [`templates`]:
//!   the built-in queries.
//! - [`paths`]: attack paths from entry points to crown jewels, ranked, with the fix that cuts
//!   the most.
//! - [`risk`]: a score per workload with its factors.
//! - [`synthetic`]: a generated cluster for the benchmark.

pub mod build;
pub mod edges;
pub mod model;
pub mod paths;
pub mod rbac;
pub mod render;
pub mod risk;
pub mod sql;
pub mod synthetic;
pub mod templates;

pub use build::{build, Ctx, Inputs};
pub use model::{Edge, Graph, Node, NodeId, NodeKind};

use palisade_model::ScanReport;
use serde_json::Value;

/// Largest scan report document read.
pub const MAX_REPORT_BYTES: usize = 256 << 20;
/// Longest alert line read (longer ones are skipped as malformed).
pub const MAX_ALERT_LINE: usize = 4 << 20;

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("scan report is larger than {MAX_REPORT_BYTES} bytes")]
    ReportTooLarge,
    #[error("not a scan report (palisade image scan -f json): {0}")]
    Report(serde_json::Error),
    #[error("SQL: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("no template named {0:?} (palisade explore list)")]
    NoTemplate(String),
    #[error("manifests: {0}")]
    Manifests(String),
}

/// The scan reports in `bytes`: one JSON document, or several one after the other (JSON
/// lines).
pub fn parse_reports(bytes: &[u8]) -> Result<Vec<ScanReport>, GraphError> {
    if bytes.len() > MAX_REPORT_BYTES {
        return Err(GraphError::ReportTooLarge);
    }
    serde_json::Deserializer::from_slice(bytes)
        .into_iter::<ScanReport>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(GraphError::Report)
}

/// Alerts from JSON lines: objects kept, anything else (malformed, too long, not an object)
/// counted and skipped.
pub fn parse_alerts(text: &[u8]) -> (Vec<Value>, usize) {
    let mut out = Vec::new();
    let mut bad = 0;
    for line in text.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if line.len() > MAX_ALERT_LINE {
            bad += 1;
            continue;
        }
        match serde_json::from_slice::<Value>(line) {
            Ok(v @ Value::Object(_)) => out.push(v),
            _ => bad += 1,
        }
    }
    (out, bad)
}

/// Builds the graph of manifests text, reports text and alerts text (fixtures, tests, fuzz).
pub fn fixture_graph(manifests: &str, reports: &str, alerts: &str) -> Result<Ctx, GraphError> {
    let mut loaded = palisade_k8s::Loaded::default();
    palisade_k8s::load_str(
        manifests,
        "fixture.yaml".into(),
        &palisade_k8s::LoadOptions::default(),
        &mut loaded,
    );
    if let Some(e) = loaded.errors.first() {
        return Err(GraphError::Manifests(e.to_string()));
    }
    let inputs = Inputs {
        inventory: palisade_k8s::Inventory::new(loaded.objects),
        reports: parse_reports(reports.as_bytes())?,
        alerts: parse_alerts(alerts.as_bytes()).0,
    };
    Ok(build(&inputs))
}
