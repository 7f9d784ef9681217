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
use palisade_sensor::bpf::{Collector, Drops};
use palisade_sensor::builtin::builtin_ruleset;
use palisade_sensor::{
    decode, Detector, DockerClient, Kind, MetadataCache, NodeFields, ProcessTable,
};

#[derive(Debug, Subcommand)]
pub enum SensorCommand {
    /// Watch this node: processes, sensitive file opens, connections, ptrace, module loads,
    /// setuid; alerts as JSON lines. Needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN for
    /// reading other processes' /proc entries is not required).
    Run(RunArgs),
    /// Rule evaluation alone: decode + process table + every built-in rule over a mix of
    /// synthetic records on one thread; events per second as JSON.
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Number of events.
    #[arg(long, default_value_t = 2_000_000)]
    events: usize,
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
}

/// Largest number of processes remembered between their exec and exit.
const MAX_PROCESSES: usize = 65_536;

pub fn run(cmd: &SensorCommand) -> anyhow::Result<ExitCode> {
    let args = match cmd {
        SensorCommand::Run(args) => args,
        SensorCommand::Bench(b) => return bench(b),
    };
    let mut set = if args.no_builtin {
        palisade_rules::RuleSet::new()
    } else {
        builtin_ruleset()
    };
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
    let mut output: BufWriter<Box<dyn Write>> = BufWriter::new(match &args.output {
        Some(p) => Box::new(File::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    });
    let rules = engine.enabled_count();
    let mut detector = Detector::new(
        engine,
        ProcessTable::new(MAX_PROCESSES, true),
        MetadataCache::new(DockerClient::from_env()),
        args.node.clone(),
    );
    detector.ignore_pid(std::process::id());

    let collector = Collector::load().context("starting the eBPF collector")?;
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
    tracing::info!(rules, "sensor: collecting");

    let mut counts = [0u64; Kind::ALL.len()];
    let mut decode_errors = 0u64;
    let mut alerts_written = 0u64;
    let mut alerts = Vec::new();
    let mut write_error: Option<std::io::Error> = None;
    let mut last_drops = Drops::default();
    collector.run(
        until,
        &|| stop.load(Ordering::Relaxed),
        &mut |bytes| match decode(bytes) {
            Ok(ev) => {
                counts[ev.kind.raw() as usize - 1] += 1;
                alerts.clear();
                detector.process(&ev, &mut alerts);
                for a in &alerts {
                    let line = serde_json::to_string(a).unwrap_or_default();
                    if let Err(e) = writeln!(output, "{line}").and_then(|()| output.flush()) {
                        write_error.get_or_insert(e);
                    }
                    alerts_written += 1;
                }
            }
            Err(e) => {
                decode_errors += 1;
                tracing::debug!("undecodable record: {e}");
            }
        },
        &mut |c| match c.drops() {
            Ok(d) if d != last_drops => {
                for k in Kind::ALL {
                    let new = d.get(k) - last_drops.get(k);
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
        },
    )?;
    if let Some(e) = write_error {
        return Err(e).context("writing alerts");
    }
    output.flush()?;
    let by_kind: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("{}={}", k.as_str(), counts[k.raw() as usize - 1]))
        .collect();
    let dropped: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("{}={}", k.as_str(), last_drops.get(*k)))
        .collect();
    tracing::info!(
        events = %by_kind.join(" "),
        dropped = %dropped.join(" "),
        decode_errors,
        alerts = alerts_written,
        "sensor: stopped"
    );
    if last_drops.total() > 0 {
        tracing::warn!(
            "{} events dropped ({})",
            last_drops.total(),
            dropped.join(" ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A mix of records as a busy node produces them: execs of ordinary programs in containers,
/// opens below /etc, connects, exits, and a few that raise alerts.
fn bench_records() -> Vec<Vec<u8>> {
    use palisade_sensor::decode::encode;
    use palisade_sensor::NodeEvent;
    let id = "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592";
    let base = |kind, comm: &str, pid: u32| NodeEvent {
        kind,
        pid,
        tid: pid,
        ppid: 1,
        uid: 1000,
        gid: 1000,
        ts_ns: 1,
        cgroup_id: 1,
        comm: comm.into(),
        pcomm: "containerd-shim".into(),
        cgroups: vec![id.into(), "docker".into(), String::new()],
        path: None,
        args: vec![],
        cwd: None,
        args_truncated: false,
        a0: 0,
        a1: 0,
        addr: None,
        ..Default::default()
    };
    let mut out = Vec::new();
    for (i, prog) in [
        "python3", "node", "java", "nginx", "ls", "cat", "sh", "curl", "git", "make",
    ]
    .iter()
    .enumerate()
    {
        let pid = 1000 + i as u32;
        let mut e = base(Kind::Exec, prog, pid);
        e.path = Some(format!("/usr/bin/{prog}"));
        e.args = vec![
            prog.to_string(),
            "--flag".into(),
            "/srv/app/file.txt".into(),
        ];
        out.push(encode(&e));
        let mut o = base(Kind::Open, prog, pid);
        o.path = Some(if i == 5 {
            "/etc/shadow".into()
        } else {
            "/etc/hosts".into()
        });
        out.push(encode(&o));
        for port in [443, 5432, 6379, 8080, 53] {
            let mut c = base(Kind::Connect, prog, pid);
            c.addr = Some(
                "127.0.0.1"
                    .parse()
                    .unwrap_or(std::net::Ipv4Addr::LOCALHOST.into()),
            );
            c.a1 = port;
            out.push(encode(&c));
        }
        out.push(encode(&base(Kind::Exit, prog, pid)));
    }
    out
}

fn bench(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let (engine, diags) = builtin_ruleset().compile(&NodeFields);
    anyhow::ensure!(diags.is_empty(), "built-in rules: {diags:?}");
    let mut detector = Detector::new(
        engine,
        ProcessTable::new(MAX_PROCESSES, false),
        std::collections::HashMap::new(),
        None,
    );
    let records = bench_records();
    let mut alerts = Vec::new();
    let mut total_alerts = 0usize;
    let start = Instant::now();
    for i in 0..args.events {
        let ev = decode(&records[i % records.len()])?;
        alerts.clear();
        detector.process(&ev, &mut alerts);
        total_alerts += alerts.len();
    }
    let secs = start.elapsed().as_secs_f64();
    let report = serde_json::json!({
        "events": args.events,
        "seconds": secs,
        "events_per_second": (args.events as f64 / secs).round(),
        "alerts": total_alerts,
        "rules": detector.engine().enabled_count(),
    });
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &report)?;
    writeln!(stdout)?;
    Ok(ExitCode::SUCCESS)
}
