//! Kubernetes audit events (`audit.k8s.io/v1`) and the cluster-level detections on them.
//!
//! [`decode`] turns JSON into [`AuditEvent`]s, [`fields`] serves the `ka.*` / `jevt.*` fields
//! to the rule engine, [`builtin`] holds Palisade's own rules (embedded from `rules/k8s_audit/`),
//! and [`alert`] turns rule hits into de-duplicated alerts. [`Detector`] ties them together:
//! event in, alerts out, no I/O.

pub mod alert;
pub mod builtin;
pub mod catalogue;
pub mod decode;
pub mod fields;
pub mod mitre;

pub use alert::{Alert, Deduplicator};
pub use decode::{decode_batch, AuditEvent, DecodeError};
pub use fields::{AuditFields, AuditRecord, SOURCE};

use palisade_rules::Engine;

/// Compiled rules plus the cluster name alerts carry.
#[derive(Debug)]
pub struct Detector {
    engine: Engine,
    cluster: Option<String>,
    hits: Vec<usize>,
}

impl Detector {
    pub fn new(engine: Engine, cluster: Option<String>) -> Self {
        Detector {
            engine,
            cluster,
            hits: Vec::new(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Runs every rule on the event; one alert per matching rule is appended to `out`.
    pub fn analyze(&mut self, event: &AuditEvent, out: &mut Vec<Alert>) {
        let record = AuditRecord {
            event,
            cluster: self.cluster.as_deref(),
        };
        self.hits.clear();
        self.engine.evaluate(&record, &mut self.hits);
        for &i in &self.hits {
            if let Some(rule) = self.engine.rule(i) {
                out.push(Alert::new(rule, &record));
            }
        }
    }

    /// Number of rules that match the event, without building alerts (for benchmarks).
    pub fn count_hits(&mut self, event: &AuditEvent) -> usize {
        let record = AuditRecord {
            event,
            cluster: self.cluster.as_deref(),
        };
        self.hits.clear();
        self.engine.evaluate(&record, &mut self.hits);
        self.hits.len()
    }
}
