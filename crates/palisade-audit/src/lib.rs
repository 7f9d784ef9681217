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

pub use alert::{Alert, DedupKey, Deduplicator, Evidence, ResourceView};
pub use decode::{decode_batch, AuditEvent, DecodeError};
pub use fields::{AuditFields, AuditRecord, SOURCE};

use palisade_rules::Engine;

/// Compiled rules plus the cluster name alerts carry.
#[derive(Debug)]
pub struct Detector {
    engine: Engine,
    cluster: Option<String>,
    hits: Vec<usize>,
    /// Counts of rules with a `window` (count-within-window), by event time; bounded.
    windows: palisade_rules::Windows,
}

/// The event's time in milliseconds (0 when it has none), for count-within-window rules.
fn event_millis(event: &AuditEvent) -> u64 {
    event
        .timestamp()
        .and_then(alert::parse_rfc3339_micros)
        .map_or(0, |us| u64::try_from(us / 1000).unwrap_or(0))
}

impl Detector {
    pub fn new(engine: Engine, cluster: Option<String>) -> Self {
        Detector {
            engine,
            cluster,
            hits: Vec::new(),
            windows: palisade_rules::Windows::default(),
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
        self.engine.evaluate_windowed(
            &record,
            event_millis(event),
            &mut self.windows,
            &mut self.hits,
        );
        for &i in &self.hits {
            if let Some(rule) = self.engine.rule(i) {
                out.push(Alert::new(rule, &record));
            }
        }
    }

    /// Runs every rule on the event and hands each hit to `dedup`: a hit that joins an open
    /// group is only counted there, so a storm of repeats (a token brute force, a crawler)
    /// costs no alert building; a hit that starts a group gets its alert. Alerts whose window
    /// closed are appended to `ready`. Returns the number of rule hits.
    pub fn analyze_deduplicated(
        &mut self,
        event: &AuditEvent,
        dedup: &mut Deduplicator,
        ready: &mut Vec<Alert>,
    ) -> usize {
        let record = AuditRecord {
            event,
            cluster: self.cluster.as_deref(),
        };
        self.hits.clear();
        self.engine.evaluate_windowed(
            &record,
            event_millis(event),
            &mut self.windows,
            &mut self.hits,
        );
        let time = event.timestamp().unwrap_or_default();
        let resource = ResourceView::of(event);
        let user = event.user_name().unwrap_or_default();
        for &i in &self.hits {
            let Some(rule) = self.engine.rule(i) else {
                continue;
            };
            let key = DedupKey {
                rule: rule.meta.id.as_deref().unwrap_or(&rule.meta.name),
                resource,
                user,
            };
            if !dedup.count_repeat(&key, time, ready) {
                dedup.push(Alert::new(rule, &record), ready);
            }
        }
        self.hits.len()
    }

    /// Number of rules that match the event, without building alerts (for benchmarks).
    pub fn count_hits(&mut self, event: &AuditEvent) -> usize {
        let record = AuditRecord {
            event,
            cluster: self.cluster.as_deref(),
        };
        self.hits.clear();
        self.engine.evaluate_windowed(
            &record,
            event_millis(event),
            &mut self.windows,
            &mut self.hits,
        );
        self.hits.len()
    }
}
