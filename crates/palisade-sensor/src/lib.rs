//! Palisade's node sensor: eBPF collection of process, file and network events, container
//! attribution, and the node detections on them.
//!
//! [`bpf`] loads the kernel programs (`bpf/sensor.bpf.c`) and reads their ring buffer,
//! [`decode`] turns its records into [`NodeEvent`]s, [`cgroup`] attributes them to containers,
//! [`metadata`] names those containers (Docker Engine API), [`process`] remembers processes
//! between events, [`fields`] serves the `syscall` fields to the rule engine, [`builtin`]
//! holds Palisade's own node rules (embedded from `rules/node/`), and [`alert`] shapes rule
//! hits. [`Detector`] ties the pure part together: event in, alerts out.
//!
//! Operations: [`netlink`] is the fallback collector (exec/exit from the process connector),
//! [`metrics`] counts for `/metrics` and `/healthz`, [`dedup`] suppresses repeats,
//! [`drift_policy`] allows listed executables for rules tagged `drift`, [`baseline`] learns
//! per image and raises anomaly alerts, [`spool`] buffers alerts on disk for forwarding.

pub mod alert;
pub mod baseline;
pub mod bpf;
pub mod builtin;
pub mod cgroup;
pub mod decode;
pub mod dedup;
pub mod drift_policy;
pub mod fields;
pub mod metadata;
pub mod metrics;
pub mod netlink;
pub mod process;
pub mod spool;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use alert::NodeAlert;
pub use baseline::Baseline;
pub use cgroup::Attribution;
pub use decode::{decode, DecodeError, Kind, NodeEvent};
pub use drift_policy::DriftPolicy;
pub use fields::{NodeFields, NodeRecord, SOURCE};
pub use metadata::{ContainerInfo, DockerClient, MetadataCache};
pub use metrics::{CollectorKind, Metrics};
use palisade_rules::Engine;
pub use process::ProcessTable;

/// Where container metadata comes from.
pub trait Metadata {
    fn lookup(&mut self, id: &str) -> Option<ContainerInfo>;
}

impl Metadata for MetadataCache {
    fn lookup(&mut self, id: &str) -> Option<ContainerInfo> {
        self.get(id).cloned()
    }
}

/// Fixed metadata (tests, replay).
impl Metadata for HashMap<String, ContainerInfo> {
    fn lookup(&mut self, id: &str) -> Option<ContainerInfo> {
        self.get(id).cloned()
    }
}

/// Compiled node rules plus the state that gives events their context.
pub struct Detector<M: Metadata> {
    engine: Engine,
    procs: ProcessTable,
    metadata: M,
    node: Option<String>,
    hits: Vec<usize>,
    /// Events of this process (the sensor itself) are not evaluated.
    ignore_pid: Option<u32>,
    /// Container id → metadata (None: unknown, asked again after a while).
    containers: HashMap<String, (Option<Arc<ContainerInfo>>, Instant)>,
    metrics: Option<Arc<Metrics>>,
    drift: Option<DriftPolicy>,
    baseline: Option<(Baseline, baseline::Mode)>,
    /// Events processed so far (`evt.num` of the latest).
    events_seen: u64,
    /// Counts of the rules with a `window` (count-within-window); bounded, see
    /// `palisade_rules::window`.
    windows: palisade_rules::Windows,
}

/// Containers remembered at most; past this the memo is cleared.
const MAX_CONTAINERS: usize = 4096;
/// How long an unknown container stays unknown before the runtime is asked again.
const RETRY_UNKNOWN: Duration = Duration::from_secs(5);

impl<M: Metadata> std::fmt::Debug for Detector<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("rules", &self.engine.rules().len())
            .field("processes", &self.procs.len())
            .finish()
    }
}

impl<M: Metadata> Detector<M> {
    pub fn new(engine: Engine, procs: ProcessTable, metadata: M, node: Option<String>) -> Self {
        Detector {
            engine,
            procs,
            metadata,
            node,
            hits: Vec::new(),
            ignore_pid: None,
            containers: HashMap::new(),
            metrics: None,
            drift: None,
            baseline: None,
            events_seen: 0,
            windows: palisade_rules::Windows::default(),
        }
    }

    /// Alerts of rules tagged `drift` that `policy` allows are not emitted (and counted).
    pub fn set_drift_policy(&mut self, policy: DriftPolicy) {
        self.drift = Some(policy);
    }

    /// Learns into `baseline`, or judges events against it (anomaly alerts).
    pub fn set_baseline(&mut self, baseline: Baseline, mode: baseline::Mode) {
        self.baseline = Some((baseline, mode));
    }

    pub fn baseline_mut(&mut self) -> Option<&mut Baseline> {
        self.baseline.as_mut().map(|(b, _)| b)
    }

    /// Counts events, rule hits and the process table's size into `metrics`.
    pub fn set_metrics(&mut self, metrics: Arc<Metrics>) {
        self.metrics = Some(metrics);
    }

    pub fn processes(&self) -> usize {
        self.procs.len()
    }

    pub fn ignore_pid(&mut self, pid: u32) {
        self.ignore_pid = Some(pid);
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn container(&mut self, id: &str) -> Option<Arc<ContainerInfo>> {
        if let Some((info, at)) = self.containers.get(id) {
            if info.is_some() || at.elapsed() < RETRY_UNKNOWN {
                return info.clone();
            }
        }
        if self.containers.len() >= MAX_CONTAINERS {
            self.containers.clear();
        }
        let info = self.metadata.lookup(id).map(Arc::new);
        self.containers
            .insert(id.to_string(), (info.clone(), Instant::now()));
        info
    }

    /// Runs every rule on the event; one alert per matching rule is appended to `out`.
    pub fn process(&mut self, e: &NodeEvent, out: &mut Vec<NodeAlert>) {
        self.events_seen += 1;
        self.procs.observe(e);
        if let Some(m) = &self.metrics {
            m.event(e.kind);
            m.processes.store(
                self.procs.len() as u64,
                std::sync::atomic::Ordering::Relaxed,
            );
        }
        if Some(e.pid) != self.ignore_pid {
            let attribution = self.procs.attribution(e);
            let container = attribution.container_id().and_then(|id| self.container(id));
            let ancestors = self.procs.ancestors(e);
            let proc = self.procs.get(e.pid);
            let (exe, args, cwd): (Option<&str>, &[String], Option<&str>) = match e.kind {
                Kind::Exec => (e.path.as_deref(), &e.args, e.cwd.as_deref()),
                _ => proc.map_or((None, &[][..], None), |p| {
                    (p.exe.as_deref(), &p.args[..], p.cwd.as_deref())
                }),
            };
            let record = NodeRecord {
                event: e,
                exe,
                args,
                cwd,
                ancestors: &ancestors,
                lineage: &self.procs.lineage(e),
                num: self.events_seen,
                attribution: &attribution,
                container: container.as_deref(),
            };
            self.hits.clear();
            // Event time (monotonic, from the kernel) for count-within-window rules.
            self.engine.evaluate_windowed(
                &record,
                e.ts_ns / 1_000_000,
                &mut self.windows,
                &mut self.hits,
            );
            if !self.hits.is_empty() {
                let time = alert::now_rfc3339();
                for &i in &self.hits {
                    if let Some(m) = &self.metrics {
                        m.rule_hit(i);
                    }
                    if let Some(rule) = self.engine.rule(i) {
                        if let Some(entry) = self
                            .drift
                            .as_ref()
                            .filter(|_| rule.meta.tags.iter().any(|t| t == drift_policy::TAG))
                            .and_then(|p| p.allows(record.container, record.exe))
                        {
                            tracing::debug!(
                                rule = rule.meta.id.as_deref().unwrap_or(&rule.meta.name),
                                exe = record.exe,
                                policy = %entry.at,
                                "drift allowed by policy"
                            );
                            if let Some(m) = &self.metrics {
                                m.suppressed_drift
                                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                            continue;
                        }
                        out.push(NodeAlert::new(
                            rule,
                            &record,
                            time.clone(),
                            self.node.as_deref(),
                        ));
                    }
                }
            }
            if let Some((baseline, mode)) = &mut self.baseline {
                let obs = baseline::observation(e, exe);
                let info = record.container;
                if let (Some(obs), Some(info)) = (obs, info) {
                    if let Some(image) = baseline::image_key(info) {
                        match mode {
                            baseline::Mode::Learn => {
                                baseline.learn(&image, &obs);
                            }
                            baseline::Mode::Enforce if baseline.is_anomaly(&image, &obs) => {
                                if let Some(m) = &self.metrics {
                                    m.anomalies
                                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                }
                                out.push(NodeAlert::from_meta(
                                    &baseline::anomaly_meta(&obs),
                                    baseline::anomaly_message(&obs, info, &image),
                                    &record,
                                    alert::now_rfc3339(),
                                    self.node.as_deref(),
                                ));
                            }
                            baseline::Mode::Enforce => {}
                        }
                    }
                }
                if let Some(m) = &self.metrics {
                    m.baseline_images.store(
                        baseline.images() as u64,
                        std::sync::atomic::Ordering::Relaxed,
                    );
                }
            }
        }
        if e.kind == Kind::Exit {
            self.procs.forget(e.pid);
        }
    }
}
