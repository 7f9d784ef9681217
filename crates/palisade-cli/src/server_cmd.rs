//! `palisade server`: the central server, and its token administration. Wiring only.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use palisade_server::{Limits, Role, ServerConfig};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ServerArgs {
    #[command(subcommand)]
    pub command: Option<ServerCommand>,
    /// Address to listen on (plain HTTP: loopback only unless --insecure-listen).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The store: sqlite:PATH or postgres://USER:PASSWORD@HOST/DB (default: a SQLite file in
    /// $XDG_DATA_HOME/palisade or ~/.local/share/palisade).
    #[arg(long, env = "PALISADE_DB")]
    pub db: Option<String>,
    /// Serve plain HTTP on a non-loopback address.
    #[arg(long)]
    pub insecure_listen: bool,
    /// The server is reached over HTTPS (a TLS proxy in front): mark dashboard session
    /// cookies `Secure`.
    #[arg(long)]
    pub secure_cookies: bool,
    /// Start a demo: a temporary store seeded by running Palisade on the demo material built
    /// into the binary (an image, manifests, an audit log, recorded sensor alerts); prints the
    /// URL and an admin token. Loopback only; the port is the --listen one, or a free one.
    /// --db (and PALISADE_DB) are ignored: the demo's store is temporary.
    #[arg(long, conflicts_with = "insecure_listen")]
    pub demo: bool,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = Limits::default().max_body)]
    pub max_body: usize,
    /// Most alerts (JSON lines) in one ingest request.
    #[arg(long, default_value_t = Limits::default().max_lines)]
    pub max_batch: usize,
}

#[derive(Debug, clap::Subcommand)]
pub enum ServerCommand {
    /// Manage API tokens: create one for a role (shown once, stored as a hash).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token; prints it (alone) on stdout. It is shown only this once.
    Create {
        /// The store (as for `palisade server --db`).
        #[arg(long, env = "PALISADE_DB")]
        db: Option<String>,
        /// admin, operator, reader or ingest.
        #[arg(long)]
        role: Role,
        /// What the token is for (shown in the audit trail).
        #[arg(long)]
        name: String,
    },
}

fn db_url(db: Option<String>) -> anyhow::Result<String> {
    match db {
        Some(url) => Ok(url),
        None => Ok(palisade_server::default_db_url()?),
    }
}

pub async fn run(args: ServerArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(ServerCommand::Token {
            command: TokenCommand::Create { db, role, name },
        }) => {
            let token = palisade_server::create_token(&db_url(db)?, role, &name).await?;
            writeln!(std::io::stdout(), "{token}")?;
            Ok(ExitCode::SUCCESS)
        }
        None if args.demo => {
            crate::demo_cmd::run(
                args.listen,
                Limits {
                    max_body: args.max_body,
                    max_lines: args.max_batch,
                },
            )
            .await
        }
        None => {
            palisade_server::serve(ServerConfig {
                listen: args.listen,
                db_url: db_url(args.db)?,
                insecure_listen: args.insecure_listen,
                secure_cookies: args.secure_cookies,
                limits: Limits {
                    max_body: args.max_body,
                    max_lines: args.max_batch,
                },
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// The store (default: a new SQLite file in a temporary directory).
    #[arg(long)]
    pub db: Option<String>,
    /// Alerts to ingest.
    #[arg(long, default_value_t = 200_000)]
    pub alerts: usize,
    /// Alerts per request.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Requests in flight.
    #[arg(long, default_value_t = 2)]
    pub concurrency: usize,
    /// Alerts per group (the same rule on the same resource).
    #[arg(long, default_value_t = 10)]
    pub repeats: usize,
}

/// `palisade bench server`: prints the figures as JSON on stdout.
pub async fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let db_url = args
        .db
        .unwrap_or_else(|| format!("sqlite:{}", dir.path().join("bench.db").display()));
    let result = palisade_server::bench::bench_ingest(&palisade_server::bench::BenchOptions {
        db_url,
        alerts: args.alerts,
        batch: args.batch,
        concurrency: args.concurrency,
        repeats: args.repeats,
    })
    .await?;
    writeln!(
        std::io::stdout(),
        "{}",
        serde_json::to_string_pretty(&result)?
    )?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct DashboardBenchArgs {
    /// The store (default: a new SQLite file in a temporary directory).
    #[arg(long)]
    pub db: Option<String>,
    /// Alerts to store (each its own group, spread over the last 30 days).
    #[arg(long, default_value_t = 100_000)]
    pub alerts: usize,
    /// Images to store.
    #[arg(long, default_value_t = 1000)]
    pub images: usize,
    /// Findings per image.
    #[arg(long, default_value_t = 20)]
    pub findings_per_image: usize,
    /// Posture findings to store.
    #[arg(long, default_value_t = 5000)]
    pub posture_findings: usize,
    /// Requests measured per page.
    #[arg(long, default_value_t = 30)]
    pub requests: usize,
}

/// `palisade bench dashboard`: each page's server time, as JSON on stdout.
pub async fn bench_dashboard(args: DashboardBenchArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let db_url = args
        .db
        .unwrap_or_else(|| format!("sqlite:{}", dir.path().join("bench.db").display()));
    let result = palisade_server::dashboard::bench::bench_dashboard(
        &palisade_server::dashboard::bench::DashboardBenchOptions {
            db_url,
            alerts: args.alerts,
            images: args.images,
            findings_per_image: args.findings_per_image,
            posture_findings: args.posture_findings,
            requests: args.requests.max(1),
        },
    )
    .await?;
    writeln!(
        std::io::stdout(),
        "{}",
        serde_json::to_string_pretty(&result)?
    )?;
    Ok(ExitCode::SUCCESS)
}
