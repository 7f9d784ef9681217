//! `palisade host scan`: collect the host's facts (palisade-host), run the host checks
//! (palisade-checks::host), report through the posture scan's exceptions, frameworks and
//! outputs.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use palisade_checks::exceptions::{self, Exception, Suppressed};
use palisade_checks::frameworks::{summarize, ComplianceSummary, Framework};
use palisade_checks::host::{self, HostCheck, ManualRecommendation, HOST_CHECKS};
use palisade_checks::PostureFinding;
use palisade_model::Severity;
use serde::Serialize;

use crate::posture_cmd::{write_compliance, write_findings, PostureFormat};

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// The host's root directory: files and `proc/` are read below it (a mounted host file
    /// system, or a fixture tree).
    #[arg(long, default_value = "/")]
    pub root: PathBuf,
    /// The Docker API socket (default: DOCKER_HOST's unix socket, else /var/run/docker.sock).
    #[arg(long, value_name = "PATH")]
    pub docker_socket: Option<PathBuf>,
    /// Do not talk to a Docker daemon: daemon configuration and files only.
    #[arg(long, conflicts_with = "docker_socket")]
    pub no_docker: bool,
    /// The daemon configuration file, as a path on the host (default: dockerd's
    /// --config-file, else /etc/docker/daemon.json).
    #[arg(long, value_name = "PATH")]
    pub daemon_json: Option<String>,
    #[arg(short, long, value_enum, default_value_t = PostureFormat::Table)]
    pub format: PostureFormat,
    /// Exit with status 1 when a finding at or above this severity remains.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Print this framework's compliance summary: cis-docker, cis-kubernetes.
    #[arg(long)]
    pub framework: Option<Framework>,
    /// Accepted risks (YAML: `exceptions: [{check, kind, name, reason, expires}]`; kind is
    /// Container, Image, DockerDaemon, File, Kubelet or StaticPod; name the container, image,
    /// path or component).
    #[arg(long)]
    pub exceptions: Option<PathBuf>,
    /// Write to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// The JSON report (`-f json`), schema version 1: the posture report's `findings`,
/// `suppressed` and `compliance`, plus `manual` (recommendations to review by hand) and
/// `errors` (what could not be read).
#[derive(Debug, Serialize)]
struct Report<'a> {
    schema_version: u32,
    summary: Summary,
    findings: &'a [PostureFinding],
    suppressed: &'a [Suppressed],
    manual: &'a [ManualRecommendation],
    errors: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    compliance: Option<&'a ComplianceSummary>,
}

#[derive(Debug, Serialize)]
struct Summary {
    checks: usize,
    containers: usize,
    images: usize,
    files: usize,
    findings: usize,
    by_severity: BTreeMap<&'static str, usize>,
    suppressed: usize,
    manual: usize,
    errors: usize,
}

pub async fn scan(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    if let Some(f) = args.framework.filter(|f| !f.is_host()) {
        anyhow::bail!(
            "{} is not a host framework (cis-docker, cis-kubernetes)",
            f.name()
        );
    }
    let exceptions: Vec<Exception> = match &args.exceptions {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            exceptions::parse_file(&text)
                .with_context(|| format!("exceptions file {}", path.display()))?
        }
        None => Vec::new(),
    };
    let options = palisade_host::CollectOptions {
        root: args.root.clone(),
        docker_socket: (!args.no_docker).then(|| {
            args.docker_socket
                .clone()
                .unwrap_or_else(palisade_host::default_socket)
        }),
        daemon_json: args.daemon_json.clone(),
        content_trust: std::env::var("DOCKER_CONTENT_TRUST").ok(),
    };
    let collected = palisade_host::collect(&options).await;
    for e in &collected.errors {
        tracing::warn!("{e}");
    }
    let checks: Vec<&dyn HostCheck> = HOST_CHECKS
        .iter()
        .copied()
        .filter(|c| args.framework.is_none_or(|f| f.includes(c.meta().id)))
        .collect();
    let eval = host::evaluate(&collected.facts, &checks);
    let manual = host::manual_for(&checks, &collected.facts);
    let no_objects = palisade_k8s::Inventory::new(Vec::new());
    let (findings, suppressed) = exceptions::apply(
        eval.findings,
        &no_objects,
        &exceptions,
        &exceptions::today_utc(),
    );
    let compliance = args.framework.map(|f| summarize(f, &findings));
    let mut by_severity = BTreeMap::new();
    for f in &findings {
        *by_severity.entry(f.severity.as_str()).or_insert(0) += 1;
    }
    let summary = Summary {
        checks: eval.checks,
        containers: eval.containers,
        images: eval.images,
        files: collected.facts.files.len(),
        findings: findings.len(),
        by_severity,
        suppressed: suppressed.len(),
        manual: manual.len(),
        errors: collected.errors.len(),
    };
    let mut out: Vec<u8> = Vec::new();
    match args.format {
        PostureFormat::Json => {
            let report = Report {
                schema_version: 1,
                summary,
                findings: &findings,
                suppressed: &suppressed,
                manual: &manual,
                errors: &collected.errors,
                compliance: compliance.as_ref(),
            };
            serde_json::to_writer_pretty(&mut out, &report)?;
            out.push(b'\n');
        }
        PostureFormat::Sarif => {
            let log = palisade_checks::sarif::sarif_log(&findings, env!("CARGO_PKG_VERSION"));
            serde_json::to_writer_pretty(&mut out, &log)?;
            out.push(b'\n');
        }
        PostureFormat::Table => {
            write_findings(&mut out, &findings)?;
            writeln!(
                out,
                "{} findings in {} checks over {} containers, {} images, {} files; {} suppressed; {} manual; {} errors",
                summary.findings,
                summary.checks,
                summary.containers,
                summary.images,
                summary.files,
                summary.suppressed,
                summary.manual,
                summary.errors
            )?;
            for e in &collected.errors {
                writeln!(out, "error: {e}")?;
            }
            write_compliance(&mut out, compliance.as_ref())?;
            if !manual.is_empty() {
                writeln!(out, "\nManual (review by hand, not scored):")?;
                for m in &manual {
                    writeln!(out, "  {:<6} {}: {}", m.cis, m.title, m.review)?;
                }
            }
        }
    }
    match &args.output {
        Some(path) => {
            std::fs::write(path, &out).with_context(|| format!("writing {}", path.display()))?
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&out)?;
            stdout.flush()?;
        }
    }
    if !collected.errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    if let Some(threshold) = args.fail_on {
        if findings.iter().any(|f| f.severity >= threshold) {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}
