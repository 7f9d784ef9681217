//! `palisade explore`: the security graph (palisade-graph) from manifests, a live cluster,
//! scan reports and alerts: SQL queries, built-in templates, attack paths, risk ranking; and
//! `palisade bench explore`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use palisade_graph::{paths, render, risk, sql, templates};

use crate::posture_cmd::{load_sources, ClusterArgs};

#[derive(Debug, Subcommand)]
pub enum ExploreCommand {
    /// Run SQL over the graph's tables: nodes, edges, edge_kinds, and one view per node kind
    /// (workloads, containers, images, vulnerabilities, service_accounts, exposures, ...).
    Query {
        /// One SQL statement (SQLite dialect; the database is read-only).
        sql: String,
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// List the built-in query templates.
    List,
    /// Run a built-in template (see `explore list`).
    Run {
        name: String,
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Attack paths from entry points (internet, anonymous access, exploited
    /// vulnerabilities, runtime alerts) to crown jewels (cluster-admin, node root, a
    /// namespace's secrets, cloud metadata), ranked, with the fixes that cut the most.
    Paths {
        /// Keep the path with the fewest steps per (entry, jewel) instead of the most likely.
        #[arg(long)]
        shortest: bool,
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Risk score of every workload, with its factors.
    Risk {
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// List the attack edge kinds (condition, MITRE technique, fix).
    Edges,
}

#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Manifest files or directories (`-` reads stdin).
    #[arg(short = 'f', long = "manifests", value_name = "PATH", num_args = 1..)]
    pub manifests: Vec<PathBuf>,
    /// Scan reports (`palisade image scan -f json`), matched to containers by image
    /// reference or digest.
    #[arg(long = "scan-report", value_name = "FILE", num_args = 1..)]
    pub scan_reports: Vec<PathBuf>,
    /// Alerts as JSON lines (`palisade sensor run`, `palisade audit analyze`).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub alerts: Vec<PathBuf>,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// At most this many rows (queries), paths or workloads.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

fn load(inputs: &InputArgs) -> anyhow::Result<palisade_graph::Ctx> {
    if inputs.manifests.is_empty() && !inputs.cluster.cluster {
        anyhow::bail!("give manifests (-f PATH) or --cluster");
    }
    let (loaded, _gaps) = load_sources(&inputs.manifests, &inputs.cluster)?;
    for e in &loaded.errors {
        tracing::warn!("{e}");
    }
    let mut reports = Vec::new();
    for p in &inputs.scan_reports {
        let len = std::fs::metadata(p)
            .with_context(|| format!("reading {}", p.display()))?
            .len();
        if len > palisade_graph::MAX_REPORT_BYTES as u64 {
            anyhow::bail!(
                "{}: larger than {} bytes",
                p.display(),
                palisade_graph::MAX_REPORT_BYTES
            );
        }
        let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
        reports.extend(
            palisade_graph::parse_reports(&bytes).with_context(|| p.display().to_string())?,
        );
    }
    let mut alerts = Vec::new();
    for p in &inputs.alerts {
        let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
        let (mut a, bad) = palisade_graph::parse_alerts(&bytes);
        if bad > 0 {
            tracing::warn!("{}: {bad} lines are not alerts (skipped)", p.display());
        }
        alerts.append(&mut a);
    }
    Ok(palisade_graph::build(&palisade_graph::Inputs {
        inventory: palisade_k8s::Inventory::new(loaded.objects),
        reports,
        alerts,
    }))
}

fn emit(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    emit(&s)
}

fn table_out(t: &sql::Table, out: &OutputArgs) -> anyhow::Result<()> {
    match out.output {
        OutputFormat::Table => emit(&render::table(t)),
        OutputFormat::Json => json(t),
    }
}

pub fn run(command: &ExploreCommand) -> anyhow::Result<ExitCode> {
    match command {
        ExploreCommand::List => {
            let mut s = String::new();
            for t in templates::TEMPLATES {
                s.push_str(&format!("{:<34} {:<9} {}\n", t.name, t.origin, t.title));
            }
            emit(&s)?;
        }
        ExploreCommand::Edges => {
            let mut s = String::new();
            for k in palisade_graph::edges::EDGE_KINDS {
                s.push_str(&format!(
                    "{:<26} {:<10} {:<10} {}\n{:38}when: {}\n{:38}fix: {}\n",
                    k.id, k.mitre, k.origin, k.title, "", k.condition, "", k.fix
                ));
            }
            emit(&s)?;
        }
        ExploreCommand::Query {
            sql: q,
            inputs,
            out,
        } => {
            let cx = load(inputs)?;
            let conn = sql::load(&cx.g)?;
            table_out(&sql::query(&conn, q, out.limit)?, out)?;
        }
        ExploreCommand::Run { name, inputs, out } => {
            if templates::by_name(name).is_none() {
                anyhow::bail!("no template named {name:?} (palisade explore list)");
            }
            let cx = load(inputs)?;
            let conn = sql::load(&cx.g)?;
            table_out(&templates::run(&conn, name, out.limit)?, out)?;
        }
        ExploreCommand::Paths {
            shortest,
            inputs,
            out,
        } => {
            let cx = load(inputs)?;
            let mode = if *shortest {
                paths::Mode::Shortest
            } else {
                paths::Mode::MostLikely
            };
            let report = paths::find_with(&cx, out.limit, mode);
            match out.output {
                OutputFormat::Table => emit(&render::paths(&report))?,
                OutputFormat::Json => json(&report)?,
            }
        }
        ExploreCommand::Risk { inputs, out } => {
            let cx = load(inputs)?;
            let report = paths::find(&cx, 0);
            let mut ranked = risk::rank(&cx, &report);
            ranked.truncate(out.limit);
            match out.output {
                OutputFormat::Table => emit(&render::risk(&ranked, 10))?,
                OutputFormat::Json => json(&ranked)?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[arg(long, default_value_t = 500)]
    pub namespaces: usize,
    /// Deployments; each has `--pods-per-deployment` pods.
    #[arg(long, default_value_t = 2500)]
    pub deployments: usize,
    #[arg(long, default_value_t = 4)]
    pub pods_per_deployment: usize,
    #[arg(long, default_value_t = 5000)]
    pub images: usize,
}

/// `palisade bench explore`: a synthetic cluster → graph, every template, attack paths, risk.
pub fn bench(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let shape = palisade_graph::synthetic::Shape {
        namespaces: args.namespaces,
        deployments: args.deployments,
        pods_per_deployment: args.pods_per_deployment,
        images: args.images,
        ..Default::default()
    };
    let t = Instant::now();
    let (yaml, reports, alerts) = palisade_graph::synthetic::generate(&shape);
    let generated = t.elapsed();
    let rss_before = crate::bench::peak_rss_kib().unwrap_or(0);
    let t = Instant::now();
    let mut loaded = palisade_k8s::Loaded::default();
    palisade_k8s::load_str(&yaml, "synthetic".into(), &Default::default(), &mut loaded);
    drop(yaml);
    anyhow::ensure!(
        loaded.errors.is_empty(),
        "synthetic manifests: {:?}",
        loaded.errors.first()
    );
    let objects = loaded.objects.len();
    let parsed = t.elapsed();
    let t = Instant::now();
    let cx = palisade_graph::build(&palisade_graph::Inputs {
        inventory: palisade_k8s::Inventory::new(loaded.objects),
        reports,
        alerts,
    });
    let built = t.elapsed();
    let rss_built = crate::bench::peak_rss_kib().unwrap_or(0);
    let attack = cx.g.edges.iter().filter(|e| e.attack).count();
    let mut s = String::new();
    s.push_str(&format!(
        "synthetic cluster: {} namespaces, {} pods, {} deployments, {} service accounts, {} images with findings; {objects} objects (generated in {:.2?})\n",
        shape.namespaces,
        cx.g.count(palisade_graph::NodeKind::Pod),
        cx.workloads.len(),
        cx.g.count(palisade_graph::NodeKind::ServiceAccount),
        shape.images,
        generated
    ));
    s.push_str(&format!(
        "manifests parsed in {parsed:.2?}\ngraph built in {built:.2?}: {} nodes, {} edges ({attack} attack edges)\npeak RSS {} MiB (before parsing {} MiB)\n",
        cx.g.nodes.len(),
        cx.g.edges.len(),
        rss_built / 1024,
        rss_before / 1024
    ));
    let t = Instant::now();
    let conn = sql::load(&cx.g)?;
    s.push_str(&format!("SQLite loaded in {:.2?}\n", t.elapsed()));
    let mut slowest = std::time::Duration::ZERO;
    for tpl in templates::TEMPLATES {
        let t = Instant::now();
        let rows = templates::run(&conn, tpl.name, usize::MAX)?.rows.len();
        let d = t.elapsed();
        slowest = slowest.max(d);
        s.push_str(&format!(
            "  template {:<34} {:>9.2?}  {rows} rows\n",
            tpl.name, d
        ));
    }
    s.push_str(&format!("slowest template {slowest:.2?}\n"));
    drop(conn);
    let t = Instant::now();
    let report = paths::find(&cx, 50);
    let pd = t.elapsed();
    s.push_str(&format!(
        "attack paths in {pd:.2?}: {} paths ({:?}); top fix: {}\n",
        report.total,
        report.by_target,
        report
            .fixes
            .first()
            .map(|f| format!("{} ({} paths)", f.fix, f.paths))
            .unwrap_or_default()
    ));
    let t = Instant::now();
    let ranked = risk::rank(&cx, &report);
    s.push_str(&format!(
        "risk ranking in {:.2?}: {} workloads\npeak RSS at the end {} MiB\n",
        t.elapsed(),
        ranked.len(),
        crate::bench::peak_rss_kib().unwrap_or(0) / 1024
    ));
    emit(&s)?;
    Ok(ExitCode::SUCCESS)
}
