//! Decision counters, served at `/metrics` in the Prometheus text format (0.0.4).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

use crate::decide::{Decision, Skip};

/// Counters since start.
#[derive(Debug, Default)]
pub struct Metrics {
    allowed: AtomicU64,
    denied: AtomicU64,
    dry_run: AtomicU64,
    skipped: AtomicU64,
    bad_requests: AtomicU64,
    /// (policy, mode, check) → findings.
    results: Mutex<BTreeMap<(String, &'static str, &'static str), u64>>,
    /// Review time buckets (microseconds, cumulative at render) and sum.
    latency: Mutex<Latency>,
}

const BUCKETS_US: &[u64] = &[
    50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 50_000, 250_000,
];

#[derive(Debug, Default)]
struct Latency {
    counts: [u64; 11],
    sum_us: u64,
}

impl Metrics {
    pub fn record(&self, d: &Decision, micros: u64) {
        if d.allowed() {
            self.allowed.fetch_add(1, Relaxed);
        } else {
            self.denied.fetch_add(1, Relaxed);
        }
        if d.dry_run {
            self.dry_run.fetch_add(1, Relaxed);
        }
        if matches!(
            d.skipped,
            Some(
                Skip::ExemptNamespace
                    | Skip::NotJudgedKind
                    | Skip::NotJudgedOperation
                    | Skip::NotJudgedSubresource
            )
        ) {
            self.skipped.fetch_add(1, Relaxed);
        }
        if !d.results.is_empty() {
            let mut m = lock(&self.results);
            for r in &d.results {
                *m.entry((r.policy.to_string(), r.mode.as_str(), r.finding.check_id))
                    .or_default() += 1;
            }
        }
        let mut l = lock(&self.latency);
        let i = BUCKETS_US
            .iter()
            .position(|b| micros <= *b)
            .unwrap_or(BUCKETS_US.len());
        l.counts[i] += 1;
        l.sum_us += micros;
    }

    pub fn bad_request(&self) {
        self.bad_requests.fetch_add(1, Relaxed);
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# HELP palisade_admission_decisions_total Admission reviews answered, by decision."
        );
        let _ = writeln!(s, "# TYPE palisade_admission_decisions_total counter");
        let _ = writeln!(
            s,
            "palisade_admission_decisions_total{{decision=\"allowed\"}} {}",
            self.allowed.load(Relaxed)
        );
        let _ = writeln!(
            s,
            "palisade_admission_decisions_total{{decision=\"denied\"}} {}",
            self.denied.load(Relaxed)
        );
        let _ = writeln!(s, "# HELP palisade_admission_dry_run_total Reviews of dryRun requests (included in decisions).");
        let _ = writeln!(s, "# TYPE palisade_admission_dry_run_total counter");
        let _ = writeln!(
            s,
            "palisade_admission_dry_run_total {}",
            self.dry_run.load(Relaxed)
        );
        let _ = writeln!(s, "# HELP palisade_admission_skipped_total Requests allowed without judging (exempt namespace, kind, operation or subresource).");
        let _ = writeln!(s, "# TYPE palisade_admission_skipped_total counter");
        let _ = writeln!(
            s,
            "palisade_admission_skipped_total {}",
            self.skipped.load(Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP palisade_admission_bad_requests_total Request bodies refused with HTTP 400."
        );
        let _ = writeln!(s, "# TYPE palisade_admission_bad_requests_total counter");
        let _ = writeln!(
            s,
            "palisade_admission_bad_requests_total {}",
            self.bad_requests.load(Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP palisade_admission_policy_findings_total Findings by policy, mode and check."
        );
        let _ = writeln!(s, "# TYPE palisade_admission_policy_findings_total counter");
        for ((policy, mode, check), n) in lock(&self.results).iter() {
            let _ = writeln!(
                s,
                "palisade_admission_policy_findings_total{{policy=\"{}\",mode=\"{mode}\",check=\"{check}\"}} {n}",
                escape(policy)
            );
        }
        let l = lock(&self.latency);
        let _ = writeln!(
            s,
            "# HELP palisade_admission_review_seconds Time to decide one review (in the core)."
        );
        let _ = writeln!(s, "# TYPE palisade_admission_review_seconds histogram");
        let mut cum = 0;
        for (i, b) in BUCKETS_US.iter().enumerate() {
            cum += l.counts[i];
            let _ = writeln!(
                s,
                "palisade_admission_review_seconds_bucket{{le=\"{}\"}} {cum}",
                *b as f64 / 1e6
            );
        }
        cum += l.counts[BUCKETS_US.len()];
        let _ = writeln!(
            s,
            "palisade_admission_review_seconds_bucket{{le=\"+Inf\"}} {cum}"
        );
        let _ = writeln!(
            s,
            "palisade_admission_review_seconds_sum {}",
            l.sum_us as f64 / 1e6
        );
        let _ = writeln!(s, "palisade_admission_review_seconds_count {cum}");
        s
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
