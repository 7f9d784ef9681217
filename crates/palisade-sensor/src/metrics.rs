//! What the sensor counts, shared between the collector loop (which writes) and the HTTP
//! endpoints (which read): events and drops by kind, rule hits by rule, alerts emitted and
//! suppressed, the process table's size, the collector in use, and a heartbeat the health
//! check reads. [`Metrics::render`] writes the Prometheus text exposition format (0.0.4).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering::Relaxed};
use std::time::{Duration, Instant};

use crate::decode::Kind;

/// Which collector feeds the detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectorKind {
    Ebpf,
    Netlink,
}

impl CollectorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CollectorKind::Ebpf => "ebpf",
            CollectorKind::Netlink => "netlink",
        }
    }
}

const KINDS: usize = Kind::ALL.len();

/// Every counter of a running sensor. All updates are relaxed atomics: cheap on the event path.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    /// 0 none yet, 1 eBPF, 2 netlink.
    collector: AtomicU8,
    ready: AtomicBool,
    /// Milliseconds since `started` of the collector loop's last poll (0: never polled).
    heartbeat_ms: AtomicU64,
    events: [AtomicU64; KINDS],
    drops: [AtomicU64; KINDS],
    pub decode_errors: AtomicU64,
    rule_ids: Vec<String>,
    rule_hits: Vec<AtomicU64>,
    pub alerts_emitted: AtomicU64,
    /// Repeats within the de-duplication window.
    pub suppressed_dedup: AtomicU64,
    /// Drift alerts a drift policy allows.
    pub suppressed_drift: AtomicU64,
    pub anomalies: AtomicU64,
    pub processes: AtomicU64,
    pub baseline_images: AtomicU64,
    /// Disk-buffered output: alerts appended, alerts delivered, alerts lost to the size bound,
    /// bytes waiting, failed deliveries.
    pub spool_appended: AtomicU64,
    pub spool_forwarded: AtomicU64,
    pub spool_lost: AtomicU64,
    pub spool_bytes: AtomicU64,
    pub forward_errors: AtomicU64,
    /// Netlink collector: execs whose process was gone before /proc could be read.
    pub netlink_vanished: AtomicU64,
}

impl Metrics {
    /// `rules`: the id (or name) of each compiled rule, in the engine's order.
    pub fn new(rules: Vec<String>) -> Metrics {
        Metrics {
            started: Instant::now(),
            collector: AtomicU8::new(0),
            ready: AtomicBool::new(false),
            heartbeat_ms: AtomicU64::new(0),
            events: [const { AtomicU64::new(0) }; KINDS],
            drops: [const { AtomicU64::new(0) }; KINDS],
            decode_errors: AtomicU64::new(0),
            rule_hits: rules.iter().map(|_| AtomicU64::new(0)).collect(),
            rule_ids: rules,
            alerts_emitted: AtomicU64::new(0),
            suppressed_dedup: AtomicU64::new(0),
            suppressed_drift: AtomicU64::new(0),
            anomalies: AtomicU64::new(0),
            processes: AtomicU64::new(0),
            baseline_images: AtomicU64::new(0),
            spool_appended: AtomicU64::new(0),
            spool_forwarded: AtomicU64::new(0),
            spool_lost: AtomicU64::new(0),
            spool_bytes: AtomicU64::new(0),
            forward_errors: AtomicU64::new(0),
            netlink_vanished: AtomicU64::new(0),
        }
    }

    pub fn set_collector(&self, kind: CollectorKind) {
        self.collector.store(
            match kind {
                CollectorKind::Ebpf => 1,
                CollectorKind::Netlink => 2,
            },
            Relaxed,
        );
    }

    pub fn collector(&self) -> Option<CollectorKind> {
        match self.collector.load(Relaxed) {
            1 => Some(CollectorKind::Ebpf),
            2 => Some(CollectorKind::Netlink),
            _ => None,
        }
    }

    /// Collecting (set once the collector runs, cleared when it stops).
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Relaxed);
    }

    pub fn ready(&self) -> bool {
        self.ready.load(Relaxed)
    }

    /// The collector loop calls this every time it polls.
    pub fn beat(&self) {
        let ms = self.started.elapsed().as_millis().max(1);
        self.heartbeat_ms
            .store(u64::try_from(ms).unwrap_or(u64::MAX), Relaxed);
    }

    /// How long ago the collector loop last polled (`None`: never).
    pub fn since_heartbeat(&self) -> Option<Duration> {
        match self.heartbeat_ms.load(Relaxed) {
            0 => None,
            ms => Some(
                self.started
                    .elapsed()
                    .saturating_sub(Duration::from_millis(ms)),
            ),
        }
    }

    /// Alive: collecting, and polled within `max_silence`.
    pub fn healthy(&self, max_silence: Duration) -> bool {
        self.ready() && self.since_heartbeat().is_some_and(|d| d <= max_silence)
    }

    pub fn event(&self, kind: Kind) {
        if let Some(c) = self.events.get(kind.raw() as usize - 1) {
            c.fetch_add(1, Relaxed);
        }
    }

    pub fn events(&self, kind: Kind) -> u64 {
        self.events
            .get(kind.raw() as usize - 1)
            .map_or(0, |c| c.load(Relaxed))
    }

    /// Drop counters are totals read from the kernel: stored, not added.
    pub fn set_drops(&self, kind: Kind, total: u64) {
        if let Some(c) = self.drops.get(kind.raw() as usize - 1) {
            c.store(total, Relaxed);
        }
    }

    pub fn drops(&self, kind: Kind) -> u64 {
        self.drops
            .get(kind.raw() as usize - 1)
            .map_or(0, |c| c.load(Relaxed))
    }

    pub fn rule_hit(&self, rule: usize) {
        if let Some(c) = self.rule_hits.get(rule) {
            c.fetch_add(1, Relaxed);
        }
    }

    pub fn rule_hits(&self, rule: usize) -> u64 {
        self.rule_hits.get(rule).map_or(0, |c| c.load(Relaxed))
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut o = String::with_capacity(4096);
        let head = |o: &mut String, name: &str, kind: &str, help: &str| {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
        };
        head(
            &mut o,
            "palisade_sensor_events_total",
            "counter",
            "Kernel events handled, by event type.",
        );
        for k in Kind::ALL {
            let _ = writeln!(
                o,
                "palisade_sensor_events_total{{type=\"{}\"}} {}",
                k.as_str(),
                self.events(k)
            );
        }
        head(
            &mut o,
            "palisade_sensor_drops_total",
            "counter",
            "Events the kernel side could not queue (ring buffer full), by event type.",
        );
        for k in Kind::ALL {
            let _ = writeln!(
                o,
                "palisade_sensor_drops_total{{type=\"{}\"}} {}",
                k.as_str(),
                self.drops(k)
            );
        }
        let counters: [(&str, &str, &AtomicU64); 12] = [
            (
                "palisade_sensor_decode_errors_total",
                "Records that did not decode.",
                &self.decode_errors,
            ),
            (
                "palisade_sensor_alerts_emitted_total",
                "Alerts written.",
                &self.alerts_emitted,
            ),
            (
                "palisade_sensor_alerts_suppressed_dedup_total",
                "Alerts suppressed as repeats within the de-duplication window.",
                &self.suppressed_dedup,
            ),
            (
                "palisade_sensor_alerts_suppressed_drift_total",
                "Drift alerts a drift policy allows.",
                &self.suppressed_drift,
            ),
            (
                "palisade_sensor_anomalies_total",
                "Anomaly alerts (new executable or destination for a learned image).",
                &self.anomalies,
            ),
            (
                "palisade_sensor_spool_appended_total",
                "Alerts written to the disk spool.",
                &self.spool_appended,
            ),
            (
                "palisade_sensor_spool_forwarded_total",
                "Alerts the receiver acknowledged (2xx).",
                &self.spool_forwarded,
            ),
            (
                "palisade_sensor_spool_lost_total",
                "Alerts deleted unsent because the spool reached its size bound.",
                &self.spool_lost,
            ),
            (
                "palisade_sensor_netlink_vanished_total",
                "Netlink collector: execs not evaluated because the process exited before \
                 /proc could be read.",
                &self.netlink_vanished,
            ),
            (
                "palisade_sensor_forward_errors_total",
                "Failed deliveries to the receiver (retried).",
                &self.forward_errors,
            ),
            (
                "palisade_sensor_alerts_total",
                "Alerts emitted plus alerts suppressed (every rule hit that became an alert).",
                &AtomicU64::new(
                    self.alerts_emitted.load(Relaxed)
                        + self.suppressed_dedup.load(Relaxed)
                        + self.suppressed_drift.load(Relaxed),
                ),
            ),
            (
                "palisade_sensor_uptime_seconds_total",
                "Seconds since the sensor started.",
                &AtomicU64::new(self.started.elapsed().as_secs()),
            ),
        ];
        for (name, help, v) in counters {
            head(&mut o, name, "counter", help);
            let _ = writeln!(o, "{name} {}", v.load(Relaxed));
        }
        head(
            &mut o,
            "palisade_sensor_rule_hits_total",
            "counter",
            "Rule matches (before de-duplication and drift policies), by rule.",
        );
        for (i, id) in self.rule_ids.iter().enumerate() {
            let _ = writeln!(
                o,
                "palisade_sensor_rule_hits_total{{rule=\"{}\"}} {}",
                escape_label(id),
                self.rule_hits(i)
            );
        }
        let gauges: [(&str, &str, u64); 4] = [
            (
                "palisade_sensor_processes",
                "Processes in the process table.",
                self.processes.load(Relaxed),
            ),
            (
                "palisade_sensor_baseline_images",
                "Images in the anomaly baseline.",
                self.baseline_images.load(Relaxed),
            ),
            (
                "palisade_sensor_spool_bytes",
                "Bytes waiting in the disk spool.",
                self.spool_bytes.load(Relaxed),
            ),
            (
                "palisade_sensor_ready",
                "1 while the collector runs.",
                u64::from(self.ready()),
            ),
        ];
        for (name, help, v) in gauges {
            head(&mut o, name, "gauge", help);
            let _ = writeln!(o, "{name} {v}");
        }
        head(
            &mut o,
            "palisade_sensor_collector",
            "gauge",
            "The collector in use (1 for the active one).",
        );
        let active = self.collector();
        for k in [CollectorKind::Ebpf, CollectorKind::Netlink] {
            let _ = writeln!(
                o,
                "palisade_sensor_collector{{kind=\"{}\"}} {}",
                k.as_str(),
                u8::from(active == Some(k))
            );
        }
        o
    }
}

/// A label value as the exposition format wants it: `\`, `"` and newlines escaped.
pub fn escape_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every sample line: `name{labels} value` with a numeric value, and each family typed.
    fn check_exposition(text: &str) -> Vec<(String, f64)> {
        let mut typed = std::collections::HashSet::new();
        let mut samples = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let mut it = rest.split(' ');
                typed.insert(it.next().unwrap().to_string());
                assert!(matches!(it.next(), Some("counter" | "gauge")), "{line}");
                continue;
            }
            if line.starts_with('#') {
                continue;
            }
            let (series, value) = line.rsplit_once(' ').unwrap();
            let name = series.split('{').next().unwrap();
            assert!(typed.contains(name), "untyped {name}");
            samples.push((series.to_string(), value.parse::<f64>().unwrap()));
        }
        samples
    }

    #[test]
    fn counts_show_in_the_exposition() {
        let m = Metrics::new(vec!["PAL-NODE-001".into(), "my \"odd\" rule".into()]);
        m.set_collector(CollectorKind::Netlink);
        m.event(Kind::Exec);
        m.event(Kind::Exec);
        m.set_drops(Kind::Connect, 7);
        m.rule_hit(1);
        m.alerts_emitted.fetch_add(3, Relaxed);
        m.suppressed_dedup.fetch_add(2, Relaxed);
        let text = m.render();
        let samples: std::collections::HashMap<String, f64> =
            check_exposition(&text).into_iter().collect();
        assert_eq!(samples["palisade_sensor_events_total{type=\"exec\"}"], 2.0);
        assert_eq!(samples["palisade_sensor_events_total{type=\"open\"}"], 0.0);
        assert_eq!(
            samples["palisade_sensor_drops_total{type=\"connect\"}"],
            7.0
        );
        assert_eq!(
            samples["palisade_sensor_rule_hits_total{rule=\"my \\\"odd\\\" rule\"}"],
            1.0
        );
        assert_eq!(
            samples["palisade_sensor_rule_hits_total{rule=\"PAL-NODE-001\"}"],
            0.0
        );
        assert_eq!(samples["palisade_sensor_alerts_emitted_total"], 3.0);
        assert_eq!(
            samples["palisade_sensor_alerts_suppressed_dedup_total"],
            2.0
        );
        assert_eq!(samples["palisade_sensor_alerts_total"], 5.0);
        assert_eq!(samples["palisade_sensor_collector{kind=\"netlink\"}"], 1.0);
        assert_eq!(samples["palisade_sensor_collector{kind=\"ebpf\"}"], 0.0);
    }

    #[test]
    fn health_follows_the_heartbeat() {
        let m = Metrics::new(vec![]);
        assert!(!m.healthy(Duration::from_secs(5)), "never polled");
        m.set_ready(true);
        assert!(!m.healthy(Duration::from_secs(5)), "ready but never polled");
        m.beat();
        assert!(m.healthy(Duration::from_secs(5)));
        std::thread::sleep(Duration::from_millis(30));
        assert!(!m.healthy(Duration::from_millis(10)), "silent too long");
        m.set_ready(false);
        assert!(!m.healthy(Duration::from_secs(5)), "stopped");
    }
}
