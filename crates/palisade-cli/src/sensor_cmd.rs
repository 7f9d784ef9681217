//! `palisade sensor run`: load the eBPF programs, attribute events to containers, run the node
//! rules, write alerts as JSON lines, report drops.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Subcommand};
use palisade_rules::Level;
use palisade_sensor::baseline;
use palisade_sensor::bpf::{Collector, Drops};
use palisade_sensor::builtin::builtin_ruleset;
use palisade_sensor::dedup::Dedup;
use palisade_sensor::netlink::NetlinkCollector;
use palisade_sensor::spool::{self, Spool};
use palisade_sensor::{
    decode, Baseline, CollectorKind, Detector, DockerClient, DriftPolicy, Kind, MetadataCache,
    Metrics, NodeAlert, NodeFields, ProcessTable,
};

#[derive(Debug, Subcommand)]
pub enum SensorCommand {
    /// Watch this node: processes, sensitive file opens, connections, ptrace, module loads,
    /// setuid; alerts as JSON lines. Needs root or the capabilities listed in README.md
    /// (CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH;
    /// CAP_NET_ADMIN for the netlink fallback).
    Run(Box<RunArgs>),
    /// Rule evaluation alone: decode + process table + every built-in rule over a mix of
    /// synthetic records on one thread; events per second as JSON.
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Number of events.
    #[arg(long, default_value_t = 2_000_000)]
    pub events: usize,
    /// Also measure the whole path (with de-duplication and the alerts' JSON) over a mix in
    /// which this percentage of the records raise alerts (an attack storm).
    #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub attack_share: Option<u8>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Extra rule files (Falco syntax, source `syscall`), loaded after the built-in rules.
    #[arg(long, value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// Do not load the built-in node rules.
    #[arg(long)]
    no_builtin: bool,
    /// Write alerts to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Stop after this many seconds (default: run until killed).
    #[arg(long, value_name = "SECS")]
    duration: Option<u64>,
    /// Node name carried by the alerts.
    #[arg(long, env = "PALISADE_NODE_NAME")]
    node: Option<String>,
    /// Serve GET /metrics (Prometheus text format), /healthz and /readyz on this address
    /// (e.g. 0.0.0.0:9479; port 0 picks a free one, logged at start).
    #[arg(long, value_name = "ADDR")]
    listen: Option<std::net::SocketAddr>,
    /// Repeats of an alert (same rule, container, executable and key evidence) within this
    /// window are suppressed and counted; the next alert after it says how many (0s: off).
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    dedup_window: Duration,
    /// Event source: eBPF, the netlink process connector (exec and exit only), or eBPF with
    /// the netlink fallback when the programs cannot load.
    #[arg(long, value_enum, default_value_t = CollectorChoice::Auto)]
    collector: CollectorChoice,
    /// Learning mode: record per image the executables run and the destinations connected
    /// to into the --baseline directory (no anomaly alerts while learning).
    #[arg(long, requires = "baseline")]
    learn: bool,
    /// Anomaly baseline directory (baseline.json). Without --learn: a new executable or
    /// destination in a learned image raises PAL-NODE-ANOM-001 / -002.
    #[arg(long, value_name = "DIR")]
    baseline: Option<PathBuf>,
    /// Drift policy (YAML allow lists per image repository, digest or namespace) for the
    /// alerts of rules tagged `drift`.
    #[arg(long, value_name = "FILE")]
    drift_policy: Option<PathBuf>,
    /// Also send alerts to this URL: JSON-lines batches POSTed from the --spool directory,
    /// deleted after a 2xx answer, resent after a restart (at-least-once).
    #[arg(long, value_name = "URL", requires = "spool")]
    forward: Option<String>,
    /// Report to this `palisade server` (e.g. http://127.0.0.1:8080): alerts through the
    /// --spool directory (as --forward does, with the token), and a heartbeat every
    /// --heartbeat-interval (node, cluster, version, collector, drops, running containers).
    /// The token (role ingest) comes from PALISADE_TOKEN or --token-file.
    #[arg(
        long,
        value_name = "URL",
        requires = "spool",
        conflicts_with = "forward"
    )]
    server: Option<String>,
    /// File whose first line is the server token.
    #[arg(long, requires = "server")]
    token_file: Option<PathBuf>,
    /// Cluster name carried by the heartbeats.
    #[arg(long, env = "PALISADE_CLUSTER")]
    cluster: Option<String>,
    /// Time between heartbeats to --server.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    heartbeat_interval: Duration,
    /// Disk buffer for --forward: alerts are fsync'd here before they are sent.
    #[arg(long, value_name = "DIR")]
    spool: Option<PathBuf>,
    /// Largest spool size; past it the oldest unsent alerts are deleted (counted and logged).
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    spool_max_bytes: u64,
}

/// A closed spool segment is sent within about this long.
const SPOOL_FLUSH: Duration = Duration::from_secs(1);
/// Longest wait between delivery attempts while the receiver is down.
const FORWARD_BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Sends spooled alerts to `url` until `stop`, then makes one last attempt.
fn forwarder(
    url: String,
    token: Option<String>,
    spool: Arc<std::sync::Mutex<Spool>>,
    metrics: Arc<Metrics>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let client = match reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("forwarder: {e}");
                return;
            }
        };
        let (dir, active) = match spool.lock() {
            Ok(s) => (s.dir().to_path_buf(), s.active()),
            Err(_) => return,
        };
        let mut send = |body: Vec<u8>| -> Result<(), String> {
            let resp = client
                .post(&url)
                .header("content-type", "application/x-ndjson");
            let resp = match &token {
                Some(t) => resp.bearer_auth(t),
                None => resp,
            };
            let resp = resp.body(body).send().map_err(|e| e.to_string())?;
            if resp.status().is_success() {
                Ok(())
            } else {
                Err(format!("HTTP {}", resp.status()))
            }
        };
        let mut backoff = SPOOL_FLUSH;
        let mut failing = false;
        loop {
            let last = stop.load(Ordering::Relaxed);
            if let Ok(mut s) = spool.lock() {
                if last {
                    s.close();
                } else {
                    s.tick();
                }
            }
            match spool::forward_once(&dir, &active, &metrics, &mut send) {
                Ok(n) => {
                    if failing {
                        tracing::info!(url = %url, "forwarder: receiver reachable again");
                    }
                    if n > 0 {
                        tracing::debug!(alerts = n, "forwarded");
                    }
                    failing = false;
                    backoff = SPOOL_FLUSH;
                }
                Err(e) => {
                    metrics.forward_errors.fetch_add(1, Ordering::Relaxed);
                    if !failing {
                        tracing::warn!(url = %url, "forwarder: {e}; alerts stay in the spool and are retried");
                    }
                    failing = true;
                    backoff = (backoff * 2).min(FORWARD_BACKOFF_MAX);
                }
            }
            if last {
                break;
            }
            let until = Instant::now() + backoff;
            while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    })
}

/// How often a learning baseline is written while events flow (and once at stop).
const BASELINE_SAVE_EVERY: Duration = Duration::from_secs(10);

/// Event in, alerts out: the detector, then de-duplication and the output; the baseline
/// saved now and then while learning.
struct Pipeline {
    detector: Detector<MetadataCache>,
    sink: Sink,
    alerts: Vec<NodeAlert>,
    baseline_dir: Option<PathBuf>,
    learning: bool,
    last_save: Instant,
}

impl Pipeline {
    fn handle(&mut self, ev: &palisade_sensor::NodeEvent) {
        self.detector.process(ev, &mut self.alerts);
        self.sink.emit(&mut self.alerts);
        if self.learning && self.last_save.elapsed() >= BASELINE_SAVE_EVERY {
            self.last_save = Instant::now();
            self.save_baseline();
        }
    }

    fn save_baseline(&mut self) {
        let (Some(dir), Some(b)) = (&self.baseline_dir, self.detector.baseline_mut()) else {
            return;
        };
        if !b.dirty() {
            return;
        }
        match b.save(dir) {
            Ok(path) => {
                tracing::info!(images = b.images(), path = %path.display(), "baseline saved")
            }
            Err(e) => tracing::error!("{e}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CollectorChoice {
    Auto,
    Ebpf,
    Netlink,
}

/// Largest number of processes remembered between their exec and exit.
pub(crate) const MAX_PROCESSES: usize = 65_536;
/// Alert groups the de-duplication remembers at most.
pub(crate) const MAX_DEDUP_GROUPS: usize = 16_384;
/// /healthz turns 503 when the collector loop has not polled for this long.
const MAX_SILENCE: Duration = Duration::from_secs(5);

fn compile(args: &RunArgs) -> anyhow::Result<palisade_rules::Engine> {
    let mut set = if args.no_builtin {
        palisade_rules::RuleSet::new()
    } else {
        builtin_ruleset()
    };
    crate::rules_cmd::add_list_dir(&mut set);
    for path in &args.rules {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        set.add_file(&path.display().to_string(), &text);
    }
    let (engine, diags) = set.compile(&NodeFields);
    let mut fatal = 0;
    for d in &diags {
        match (d.level, &d.unsupported_field) {
            (Level::Error, Some(_)) => tracing::warn!("{d} (rule skipped)"),
            (Level::Error, None) => {
                tracing::error!("{d}");
                fatal += 1;
            }
            (Level::Warning, _) => tracing::warn!("{d}"),
        }
    }
    anyhow::ensure!(
        fatal == 0,
        "{fatal} error(s) in the rules; see `palisade rules check`"
    );
    Ok(engine)
}

/// Most running containers one heartbeat lists.
const HEARTBEAT_CONTAINERS: usize = 5000;

/// Sends a heartbeat at once and then every `interval` until `stop`: the node, the collector,
/// the drop counters and the running containers (Docker API; none when there is no Docker).
#[allow(clippy::too_many_arguments)]
fn heartbeater(
    sender: palisade_server::client::HeartbeatSender,
    node: Option<String>,
    cluster: Option<String>,
    collector: CollectorKind,
    interval: Duration,
    metrics: Arc<Metrics>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    let node = node.unwrap_or_else(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "unknown".into())
    });
    std::thread::spawn(move || {
        let docker = DockerClient::from_env();
        let capabilities: Vec<String> = match collector {
            CollectorKind::Ebpf => Kind::ALL.iter().map(|k| k.as_str().to_string()).collect(),
            CollectorKind::Netlink => vec![Kind::Exec.as_str().to_string()],
        };
        let mut next = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            if Instant::now() < next {
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
            next = Instant::now() + interval;
            let containers = docker
                .running(HEARTBEAT_CONTAINERS)
                .unwrap_or_else(|e| {
                    tracing::debug!("heartbeat: no container list: {e}");
                    Vec::new()
                })
                .into_iter()
                .map(|c| palisade_server::heartbeat::RunningContainer {
                    id: c.id,
                    name: c.name,
                    image: c.image,
                    image_digest: c.image_digest,
                    pod_name: c.pod_name,
                    pod_namespace: c.pod_namespace,
                })
                .collect();
            let mut drops: std::collections::BTreeMap<String, u64> = Kind::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), metrics.drops(*k)))
                .filter(|(_, n)| *n > 0)
                .collect();
            drops.insert(
                "spool_lost".into(),
                metrics.spool_lost.load(Ordering::Relaxed),
            );
            let hb = palisade_server::heartbeat::Heartbeat {
                node: node.clone(),
                cluster: cluster.clone(),
                time: humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
                collector: collector.as_str().to_string(),
                capabilities: capabilities.clone(),
                drops,
                containers,
            };
            if let Err(e) = sender.send(&hb) {
                tracing::warn!("heartbeat: {e}");
            }
        }
    })
}

/// Serves /metrics, /healthz and /readyz on the async runtime.
fn serve_metrics(addr: std::net::SocketAddr, metrics: Arc<Metrics>) -> anyhow::Result<()> {
    let handle =
        tokio::runtime::Handle::try_current().context("--listen needs the async runtime")?;
    let std_listener =
        std::net::TcpListener::bind(addr).with_context(|| format!("listening on {addr}"))?;
    std_listener.set_nonblocking(true)?;
    let bound = std_listener.local_addr()?;
    let m1 = metrics.clone();
    let m2 = metrics.clone();
    let app = axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(move || {
                let m = m1.clone();
                async move {
                    (
                        [(
                            axum::http::header::CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8",
                        )],
                        m.render(),
                    )
                }
            }),
        )
        .route(
            "/healthz",
            axum::routing::get(move || {
                let m = m2.clone();
                async move {
                    if m.healthy(MAX_SILENCE) {
                        (axum::http::StatusCode::OK, "ok\n")
                    } else {
                        (
                            axum::http::StatusCode::SERVICE_UNAVAILABLE,
                            "collector not polling\n",
                        )
                    }
                }
            }),
        )
        .route(
            "/readyz",
            axum::routing::get(move || {
                let m = metrics.clone();
                async move {
                    if m.ready() {
                        (axum::http::StatusCode::OK, "ready\n")
                    } else {
                        (axum::http::StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
                    }
                }
            }),
        );
    handle.spawn(async move {
        match tokio::net::TcpListener::from_std(std_listener) {
            Ok(l) => {
                if let Err(e) = axum::serve(l, app).await {
                    tracing::error!("metrics endpoint: {e}");
                }
            }
            Err(e) => tracing::error!("metrics endpoint: {e}"),
        }
    });
    tracing::info!(addr = %bound, "sensor: serving /metrics, /healthz, /readyz");
    Ok(())
}

/// Where alerts go: the output (JSON lines) after de-duplication, and the spool.
struct Sink {
    output: BufWriter<Box<dyn Write>>,
    spool: Option<Arc<std::sync::Mutex<Spool>>>,
    lines: Vec<String>,
    dedup: Dedup,
    metrics: Arc<Metrics>,
    started: Instant,
    error: Option<std::io::Error>,
}

impl Sink {
    fn emit(&mut self, alerts: &mut Vec<NodeAlert>) {
        let now = u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        for mut a in alerts.drain(..) {
            if !self.dedup.admit(&mut a, now) {
                self.metrics
                    .suppressed_dedup
                    .fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let line = serde_json::to_string(&a).unwrap_or_default();
            if let Err(e) = writeln!(self.output, "{line}").and_then(|()| self.output.flush()) {
                self.error.get_or_insert(e);
            }
            self.metrics.alerts_emitted.fetch_add(1, Ordering::Relaxed);
            if self.spool.is_some() {
                self.lines.push(line);
            }
        }
        if let (Some(spool), false) = (&self.spool, self.lines.is_empty()) {
            match spool.lock() {
                Ok(mut s) => {
                    if let Err(e) = s.append(&self.lines) {
                        tracing::error!("{e}");
                    }
                }
                Err(_) => tracing::error!("spool lock poisoned"),
            }
            self.lines.clear();
        }
    }
}

/// The enabled rules no exec or exit event can match: lost without eBPF.
fn rules_needing_ebpf(engine: &palisade_rules::Engine) -> Vec<String> {
    let mut reachable = std::collections::BTreeSet::new();
    for key in ["execve", "procexit"] {
        reachable.extend(engine.candidates(key).iter().map(|&i| i as usize));
    }
    engine
        .rules()
        .iter()
        .enumerate()
        .filter(|(i, r)| r.meta.enabled && !reachable.contains(i))
        .map(|(_, r)| r.meta.id.clone().unwrap_or_else(|| r.meta.name.clone()))
        .collect()
}

enum Source {
    Ebpf(Collector),
    Netlink(NetlinkCollector),
}

fn open_collector(choice: CollectorChoice) -> anyhow::Result<Source> {
    let netlink = || -> anyhow::Result<Source> {
        Ok(Source::Netlink(
            NetlinkCollector::open().context("starting the netlink collector")?,
        ))
    };
    match choice {
        CollectorChoice::Ebpf => Ok(Source::Ebpf(
            Collector::load().context("starting the eBPF collector")?,
        )),
        CollectorChoice::Netlink => netlink(),
        CollectorChoice::Auto => match Collector::load() {
            Ok(c) => Ok(Source::Ebpf(c)),
            Err(ebpf) => {
                tracing::warn!(
                    "eBPF unavailable ({ebpf}); falling back to the netlink process connector"
                );
                NetlinkCollector::open()
                    .map(Source::Netlink)
                    .map_err(|netlink| {
                        anyhow::anyhow!("no event collector could start: {ebpf}; {netlink}")
                    })
            }
        },
    }
}

pub fn run(cmd: &SensorCommand) -> anyhow::Result<ExitCode> {
    let args = match cmd {
        SensorCommand::Run(args) => args,
        SensorCommand::Bench(b) => return crate::sensor_bench::bench(b.events, b.attack_share),
    };
    let engine = compile(args)?;
    let rules = engine.enabled_count();
    let metrics = Arc::new(Metrics::new(
        engine
            .rules()
            .iter()
            .map(|r| r.meta.id.clone().unwrap_or_else(|| r.meta.name.clone()))
            .collect(),
    ));
    if let Some(addr) = args.listen {
        serve_metrics(addr, metrics.clone())?;
    }
    let output: BufWriter<Box<dyn Write>> = BufWriter::new(match &args.output {
        Some(p) => Box::new(File::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    });
    let spool = match &args.spool {
        Some(dir) => Some(Arc::new(std::sync::Mutex::new(Spool::open(
            dir,
            args.spool_max_bytes,
            SPOOL_FLUSH,
            metrics.clone(),
        )?))),
        None => None,
    };
    let forward_stop = Arc::new(AtomicBool::new(false));
    let token = args
        .server
        .as_ref()
        .map(|_| palisade_server::client::token(args.token_file.as_deref()))
        .transpose()?;
    let forward_url = match (&args.forward, &args.server) {
        (Some(url), _) => Some(url.clone()),
        (None, Some(server)) => Some(format!(
            "{}/api/v1/ingest/alerts",
            server.trim_end_matches('/')
        )),
        (None, None) => None,
    };
    let forward = match (&forward_url, &spool) {
        (Some(url), Some(spool)) => Some(forwarder(
            url.clone(),
            token.clone(),
            spool.clone(),
            metrics.clone(),
            forward_stop.clone(),
        )),
        _ => None,
    };
    let sink = Sink {
        output,
        spool,
        lines: Vec::new(),
        dedup: Dedup::new(args.dedup_window, MAX_DEDUP_GROUPS),
        metrics: metrics.clone(),
        started: Instant::now(),
        error: None,
    };
    let lost = rules_needing_ebpf(&engine);
    let mut detector = Detector::new(
        engine,
        ProcessTable::new(MAX_PROCESSES, true),
        MetadataCache::new(DockerClient::from_env()),
        args.node.clone(),
    );
    detector.ignore_pid(std::process::id());
    detector.set_metrics(metrics.clone());
    if let Some(path) = &args.drift_policy {
        let policy = DriftPolicy::load(path)?;
        tracing::info!(entries = policy.entries().len(), "drift policy loaded");
        detector.set_drift_policy(policy);
    }
    if let Some(dir) = &args.baseline {
        let b = Baseline::load(dir)?;
        let mode = if args.learn {
            baseline::Mode::Learn
        } else {
            baseline::Mode::Enforce
        };
        tracing::info!(images = b.images(), mode = ?mode, "baseline loaded");
        if mode == baseline::Mode::Enforce && b.images() == 0 {
            tracing::warn!("the baseline is empty: learn first (--learn); no anomaly alerts");
        }
        detector.set_baseline(b, mode);
    }
    let mut pipeline = Pipeline {
        detector,
        sink,
        alerts: Vec::new(),
        baseline_dir: args.baseline.clone(),
        learning: args.learn,
        last_save: Instant::now(),
    };

    let source = open_collector(args.collector)?;
    let heartbeats = match (&args.server, &token) {
        (Some(server), Some(token)) => Some(heartbeater(
            palisade_server::client::HeartbeatSender::new(server, token.clone())?,
            args.node.clone(),
            args.cluster.clone(),
            match &source {
                Source::Ebpf(_) => CollectorKind::Ebpf,
                Source::Netlink(_) => CollectorKind::Netlink,
            },
            args.heartbeat_interval,
            metrics.clone(),
            forward_stop.clone(),
        )),
        _ => None,
    };
    let until = args
        .duration
        .map(|s| Instant::now() + Duration::from_secs(s));
    // SIGINT / SIGTERM: stop polling, drain the ring buffer, print the summary.
    let stop = Arc::new(AtomicBool::new(false));
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        let flag = stop.clone();
        handle.spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            flag.store(true, Ordering::Relaxed);
        });
    }
    let mut last_drops = Drops::default();
    match &source {
        Source::Ebpf(collector) => {
            metrics.set_collector(CollectorKind::Ebpf);
            metrics.set_ready(true);
            metrics.beat();
            tracing::info!(rules, collector = "ebpf", "sensor: collecting");
            collector.run(
                until,
                &|| stop.load(Ordering::Relaxed),
                &mut |bytes| match decode(bytes) {
                    Ok(ev) => pipeline.handle(&ev),
                    Err(e) => {
                        metrics.decode_errors.fetch_add(1, Ordering::Relaxed);
                        tracing::debug!("undecodable record: {e}");
                    }
                },
                &mut |c| {
                    metrics.beat();
                    match c.drops() {
                        Ok(d) if d != last_drops => {
                            for k in Kind::ALL {
                                let new = d.get(k) - last_drops.get(k);
                                metrics.set_drops(k, d.get(k));
                                if new > 0 {
                                    tracing::warn!(
                                        kind = k.as_str(),
                                        dropped = new,
                                        total = d.get(k),
                                        "events dropped: ring buffer full"
                                    );
                                }
                            }
                            last_drops = d;
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!("{e}"),
                    }
                },
            )?;
        }
        Source::Netlink(collector) => {
            metrics.set_collector(CollectorKind::Netlink);
            metrics.set_ready(true);
            metrics.beat();
            if !lost.is_empty() {
                tracing::warn!(
                    lost = %lost.join(","),
                    "netlink collector: exec and exit only; {} rule(s) need events other than \
                     exec and exit and are lost; execs of processes that exit before /proc is \
                     read are counted, not evaluated",
                    lost.len()
                );
            }
            tracing::info!(rules, collector = "netlink", "sensor: collecting");
            let mut last_overruns = 0;
            collector.run(
                until,
                &|| stop.load(Ordering::Relaxed),
                &mut |ev| pipeline.handle(&ev),
                &mut |stats| {
                    metrics.beat();
                    metrics.set_drops(Kind::Exec, stats.overruns);
                    metrics
                        .decode_errors
                        .store(stats.malformed, Ordering::Relaxed);
                    metrics
                        .netlink_vanished
                        .store(stats.vanished, Ordering::Relaxed);
                    if stats.overruns > last_overruns {
                        tracing::warn!(
                            total = stats.overruns,
                            "netlink: the kernel dropped process events (socket buffer full)"
                        );
                        last_overruns = stats.overruns;
                    }
                },
            )?;
        }
    }
    metrics.set_ready(false);
    pipeline.save_baseline();
    forward_stop.store(true, Ordering::Relaxed);
    if let Some(f) = forward {
        let _ = f.join();
    }
    if let Some(h) = heartbeats {
        let _ = h.join();
    }
    let mut sink = pipeline.sink;
    if let Some(e) = sink.error.take() {
        return Err(e).context("writing alerts");
    }
    sink.output.flush()?;
    let by_kind: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("{}={}", k.as_str(), metrics.events(*k)))
        .collect();
    let dropped: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("{}={}", k.as_str(), metrics.drops(*k)))
        .collect();
    let total_drops: u64 = Kind::ALL.iter().map(|k| metrics.drops(*k)).sum();
    tracing::info!(
        events = %by_kind.join(" "),
        dropped = %dropped.join(" "),
        decode_errors = metrics.decode_errors.load(Ordering::Relaxed),
        alerts = metrics.alerts_emitted.load(Ordering::Relaxed),
        suppressed = metrics.suppressed_dedup.load(Ordering::Relaxed),
        drift_allowed = metrics.suppressed_drift.load(Ordering::Relaxed),
        anomalies = metrics.anomalies.load(Ordering::Relaxed),
        "sensor: stopped"
    );
    let vanished = metrics.netlink_vanished.load(Ordering::Relaxed);
    if vanished > 0 {
        tracing::warn!(
            "{vanished} exec(s) not evaluated: the process exited before /proc could be read \
             (netlink collector)"
        );
    }
    if total_drops > 0 {
        tracing::warn!("{total_drops} events dropped ({})", dropped.join(" "));
    }
    Ok(ExitCode::SUCCESS)
}
