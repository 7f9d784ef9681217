//! `palisade server --demo`: a server on loopback with a temporary store, seeded by running
//! Palisade's own commands on the demo material embedded in the binary (`palisade-demo`,
//! the repository's `demo/`): `db update` from the advisory slice, `image scan -f json` of the
//! OCI layout, `posture scan -f json` of the manifests, `audit analyze` of the audit log, plus
//! the sensor alerts and heartbeats recorded from real containers. The documents those
//! commands write go through the server's ingest decoders and writes (`palisade_server::seed`).
//!
//! The commands are called as the CLI calls them (their argument structs, output to files):
//! the image scan pipeline still lives in `image_cmd.rs` (see ARCHITECTURE.md).

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use palisade_server::seed::{seed, Documents};
use palisade_server::{Db, Limits, Role};

use crate::{image_cmd, posture_cmd, rules_cmd, ImageArgs, ScanFormat};

/// The cluster name the demo's documents carry.
pub const CLUSTER: &str = "demo";

/// The documents the engines wrote for the demo, as files in `work`.
struct Outputs {
    scan: PathBuf,
    posture: PathBuf,
    audit_alerts: PathBuf,
}

/// Runs the engines on the unpacked material in `work/demo`; the paths they record are
/// relative to `work` (`demo/k8s/shop.yaml`), as when run from the repository.
async fn run_engines(work: &Path) -> anyhow::Result<Outputs> {
    let demo = PathBuf::from("demo");
    let out = Outputs {
        scan: work.join("scan-report.json"),
        posture: work.join("posture.json"),
        audit_alerts: work.join("audit-alerts.jsonl"),
    };
    let vulndb = work.join("vulndb");
    // 1. The vulnerability database, from the advisory slice (`palisade db update --source`).
    let sources = vec![
        (
            "alpine-secdb".to_string(),
            demo.join("advisories/alpine-secdb").display().to_string(),
        ),
        (
            "osv-pypi".to_string(),
            demo.join("advisories/osv-pypi").display().to_string(),
        ),
        (
            "kev".to_string(),
            demo.join("advisories/kev.json").display().to_string(),
        ),
    ];
    let db_dir = vulndb.clone();
    let outcomes = tokio::task::spawn_blocking(move || {
        let fetcher = palisade_vulndb::fetch::HttpFetcher::new()?;
        let options = palisade_vulndb::update::UpdateOptions {
            feeds: sources.iter().map(|(n, _)| n.clone()).collect(),
            sources,
        };
        anyhow::Ok(palisade_vulndb::update::update(
            &db_dir, &options, &fetcher,
        )?)
    })
    .await??;
    if let Some(failed) = outcomes.iter().find(|o| o.error.is_some()) {
        anyhow::bail!(
            "building the demo vulnerability database: feed {}: {}",
            failed.name,
            failed.error.clone().unwrap_or_default()
        );
    }
    // 2. `palisade image scan oci:demo/image:1.0 -f json`.
    let image = ImageArgs {
        image: format!("oci:{}:1.0", demo.join("image").display()),
        platform: None,
        insecure_registry: Vec::new(),
        username: None,
        password: None,
        cache_dir: Some(work.join("cache")),
        no_cache: true,
    };
    let policy = image_cmd::ScanPolicy {
        fail_on: None,
        ignore_unfixed: false,
        ignore_file: None,
        vex: Vec::new(),
        sign: None,
        severities: Vec::new(),
    };
    image_cmd::scan(
        &image,
        image_cmd::AdvisoryData::Store(vulndb),
        policy,
        ScanFormat::Json,
        Some(&out.scan),
    )
    .await
    .context("scanning the demo image")?;
    // 3. `palisade posture scan demo/k8s -f json`.
    let posture = posture_cmd::ScanArgs {
        paths: vec![demo.join("k8s")],
        cluster: posture_cmd::ClusterArgs {
            cluster: false,
            context: None,
            kubeconfig: None,
        },
        format: posture_cmd::PostureFormat::Json,
        fail_on: None,
        framework: None,
        exceptions: None,
        allowed_registries: Vec::new(),
        policy: Vec::new(),
        output: Some(out.posture.clone()),
    };
    // 4. `palisade audit analyze demo/audit.log --cluster demo`.
    let audit = rules_cmd::AuditCommand::Analyze(rules_cmd::AnalyzeArgs {
        input: demo.join("audit.log"),
        rules: Vec::new(),
        no_builtin: false,
        cluster: Some(CLUSTER.to_string()),
        dedup_window: Duration::from_secs(60),
        output: Some(out.audit_alerts.clone()),
        server: None,
        token_file: None,
        follow: false,
    });
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        posture_cmd::scan(&posture).context("posture scan of demo/k8s")?;
        rules_cmd::audit(&audit).context("audit analyze of demo/audit.log")?;
        Ok(())
    })
    .await??;
    Ok(out)
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Binds `listen`; when its port is taken, any free port on the same address.
async fn bind(listen: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => Ok(l),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            tracing::warn!("{listen} is taken; using a free port");
            Ok(tokio::net::TcpListener::bind(SocketAddr::new(listen.ip(), 0)).await?)
        }
        Err(e) => Err(e).with_context(|| format!("listening on {listen}")),
    }
}

/// `palisade server --demo`.
pub async fn run(listen: SocketAddr, limits: Limits) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        listen.ip().is_loopback(),
        "the demo listens on loopback only (it prints an admin token)"
    );
    let work = tempfile::Builder::new()
        .prefix("palisade-demo-")
        .tempdir()?;
    palisade_demo::unpack(&work.path().join("demo")).context("unpacking the demo material")?;
    // The engines record paths as given: run them from the work directory so the documents
    // say `demo/k8s/shop.yaml`, not a temporary path.
    std::env::set_current_dir(work.path())?;
    let out = run_engines(work.path()).await?;
    let demo = work.path().join("demo");
    let db = Db::connect(&format!(
        "sqlite:{}",
        work.path().join("server.db").display()
    ))
    .await?;
    let token =
        palisade_server::auth::create_token(&db, Role::Admin, "palisade server --demo", "demo")
            .await?;
    let seeded = seed(
        &db,
        &Documents {
            scan_reports: vec![read(&out.scan)?],
            posture: vec![(CLUSTER.to_string(), read(&out.posture)?)],
            alerts: vec![
                read(&out.audit_alerts)?,
                read(&demo.join("sensor-alerts.jsonl"))?,
            ],
            heartbeats: read(&demo.join("sensor-heartbeats.jsonl"))?
                .split(|b| *b == b'\n')
                .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
                .map(<[u8]>::to_vec)
                .collect(),
        },
        "demo",
    )
    .await?;
    tracing::info!(?seeded, "demo store seeded");
    let listener = bind(listen).await?;
    let addr = listener.local_addr()?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "Palisade demo server: http://{addr}/")?;
        writeln!(stdout, "Admin token: {token}")?;
        writeln!(
            stdout,
            "Try: curl -H \"Authorization: Bearer {token}\" http://{addr}/api/v1/alerts"
        )?;
        stdout.flush()?;
    }
    palisade_server::serve_listener(listener, db, limits, false).await?;
    drop(work);
    Ok(ExitCode::SUCCESS)
}
