//! The `palisade` command line: argument definitions and wiring only.

mod admission_cmd;
mod bench;
mod bench_vulndb;
mod db_cmd;
mod demo_cmd;
mod explore_cmd;
mod host_cmd;
mod image_cmd;
mod policy_cmd;
mod posture_cmd;
mod progress;
mod report_cmd;
mod rules_cmd;
mod sensor_bench;
mod sensor_cmd;
mod server_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Palisade: container security in one binary. Scans images for vulnerable packages and writes
/// SBOMs, checks Kubernetes manifests and clusters for misconfigurations, and detects threats in
/// Kubernetes audit logs and on nodes (eBPF sensor).
#[derive(Debug, Parser)]
#[command(name = "palisade", version)]
struct Cli {
    /// More log output on stderr (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List every package in an image (or directory) as a table, JSON, CycloneDX or SPDX.
    Sbom {
        #[command(flatten)]
        image: ImageArgs,
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Write to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// The local vulnerability database: update, status, offline bundles.
    Db {
        #[command(flatten)]
        dir: db_cmd::DbDirArgs,
        #[command(subcommand)]
        command: db_cmd::DbCommand,
    },
    /// Measure Palisade's speed and memory on generated workloads.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Work with images.
    Image {
        #[command(subcommand)]
        command: ImageCommand,
    },
    /// Detection rules (Falco rule syntax): validate, list the built-in ones.
    Rules {
        #[command(subcommand)]
        command: rules_cmd::RulesCommand,
    },
    /// Kubernetes audit logs: cluster-level threat detection.
    Audit {
        #[command(subcommand)]
        command: rules_cmd::AuditCommand,
    },
    /// Node sensor: eBPF process, file and network events from containers, node rules.
    Sensor {
        #[command(subcommand)]
        command: sensor_cmd::SensorCommand,
    },
    /// Make an Ed25519 key pair for signed reports: PREFIX.key (PKCS#8 PEM, mode 0600) and
    /// PREFIX.pub (SPKI PEM); prints the key id.
    Keygen {
        /// Path prefix of the two files.
        #[arg(short, long, value_name = "PREFIX", default_value = "palisade")]
        output: PathBuf,
    },
    /// Work with signed reports.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Gatekeeper policies: run their test suites as `gator verify` does.
    Policy {
        #[command(subcommand)]
        command: policy_cmd::PolicyCommand,
    },
    /// Kubernetes posture: misconfigurations in manifests, with remediation and frameworks.
    Posture {
        #[command(subcommand)]
        command: PostureCommand,
    },
    /// Host posture: the CIS Docker Benchmark on this Docker host, the CIS Kubernetes
    /// Benchmark on this node (kubelet, control-plane static pods).
    Host {
        #[command(subcommand)]
        command: HostCommand,
    },
    /// The central server: stores alerts, scan reports and posture results; query API.
    Server(server_cmd::ServerArgs),
    /// Kubernetes admission webhook: block, warn about or audit risky workloads.
    Admission {
        #[command(subcommand)]
        command: admission_cmd::AdmissionCommand,
    },
    /// Security explorer: SQL and templates over the security graph, attack paths, risk
    /// ranking of workloads (manifests or --cluster, scan reports, alerts).
    Explore {
        #[command(subcommand)]
        command: explore_cmd::ExploreCommand,
    },
}

#[derive(Debug, Subcommand)]
enum HostCommand {
    /// Check the Docker daemon's configuration and files, its images and running containers,
    /// the kubelet's configuration and the control plane's static pod manifests.
    Scan(host_cmd::ScanArgs),
}

#[derive(Debug, Subcommand)]
enum PostureCommand {
    /// Check manifests (files, directories, `-` for stdin) against every posture check.
    Scan(posture_cmd::ScanArgs),
    /// The inventory graph: workloads → containers → images, internet exposure, service
    /// accounts → bindings → effective permissions (table or JSON).
    Inventory(posture_cmd::InventoryArgs),
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Check a signed report (`image scan --sign`): exit 0 when the signature is valid, 1 when
    /// it is not, 2 when the input cannot be read.
    Verify {
        /// The signer's public key (SPKI PEM, from `palisade keygen`).
        #[arg(long)]
        key: PathBuf,
        /// The DSSE envelope.
        file: PathBuf,
        /// table: subject, summary and findings; json: the Palisade report; statement: the
        /// in-toto statement.
        #[arg(short, long, value_enum, default_value_t = VerifyFormat::Table)]
        format: VerifyFormat,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum VerifyFormat {
    Table,
    Json,
    Statement,
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Scan a large synthetic image (default 2 GiB, 100k files, 10 layers): time and peak RSS.
    SyntheticImage(bench::SyntheticArgs),
    /// Build a database of many advisories (real OSV records plus generated ones of their
    /// shape): ingest rate, size, open time, matching time for thousands of packages.
    Vulndb(bench_vulndb::VulndbArgs),
    /// Audit events per second on one core through every built-in rule, and peak RSS.
    AuditRules(rules_cmd::BenchAuditArgs),
    /// Load and evaluate 10,000 synthetic Kubernetes objects on one core: time and peak RSS.
    Posture(posture_cmd::BenchArgs),
    /// Alert ingest rate of the central server (whole request path, one store).
    Server(server_cmd::BenchArgs),
    /// Each dashboard page's server time (p50/p95) on a seeded store.
    Dashboard(server_cmd::DashboardBenchArgs),
    /// Admission reviews: decisions/s and p99 in the core (one thread), and over loopback TLS
    /// at a fixed rate and at saturation.
    Admission(admission_cmd::BenchArgs),
    /// Security graph of a synthetic cluster (10,000 pods): build time, peak RSS, every
    /// template, attack paths, risk ranking.
    Explore(explore_cmd::BenchArgs),
}

#[derive(Debug, Subcommand)]
enum ImageCommand {
    /// Find known vulnerabilities in an image's language packages, from OSV data files.
    Scan {
        #[command(flatten)]
        image: ImageArgs,
        #[command(flatten)]
        db: db_cmd::DbDirArgs,
        /// Match against these OSV `all.zip` files (repeatable) instead of the database.
        #[arg(long = "osv")]
        osv: Vec<PathBuf>,
        /// With --osv: CISA's known_exploited_vulnerabilities.json (marks exploited findings).
        #[arg(long, requires = "osv")]
        kev: Option<PathBuf>,
        /// Report only these severities (comma-separated: critical,high,...).
        #[arg(long, value_delimiter = ',', value_name = "SEVERITY,...")]
        severity: Vec<palisade_model::Severity>,
        /// Exit with status 1 when a finding at or above this severity remains
        /// (unknown, low, medium, high, critical; unrated findings are `unknown`).
        #[arg(long, value_name = "SEVERITY")]
        fail_on: Option<palisade_model::Severity>,
        /// Leave out findings that no released version fixes yet.
        #[arg(long)]
        ignore_unfixed: bool,
        /// Accepted vulnerabilities, one per line: `ID [purl:PURL] [exp:YYYY-MM-DD] [# reason]`
        /// (default: ./.palisadeignore when it exists).
        #[arg(long)]
        ignore_file: Option<PathBuf>,
        /// OpenVEX document; `not_affected` and `fixed` statements suppress findings. Repeatable.
        #[arg(long)]
        vex: Vec<PathBuf>,
        /// Sign the report with this Ed25519 private key (PKCS#8 PEM): the output is a DSSE
        /// envelope of an in-toto statement (vulns predicate) instead of the report.
        #[arg(long, value_name = "KEY")]
        sign: Option<PathBuf>,
        #[arg(short, long, value_enum, default_value_t = ScanFormat::Table)]
        format: ScanFormat,
        /// Write to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Show an image's metadata, layers and operating system.
    Inspect {
        #[command(flatten)]
        image: ImageArgs,
        #[arg(short, long, value_enum, default_value_t = InspectFormat::Table)]
        format: InspectFormat,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Cyclonedx,
    Spdx,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ScanFormat {
    Table,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other CI tools.
    Sarif,
    /// CycloneDX 1.6: the packages and their vulnerabilities (with VEX analysis).
    Cyclonedx,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum InspectFormat {
    Table,
    Json,
}

/// How to find and read the image.
#[derive(Debug, clap::Args)]
struct ImageArgs {
    /// REGISTRY/REPO[:TAG|@DIGEST], oci:DIR[:TAG], docker-archive:FILE, docker:NAME, dir:PATH,
    /// sbom:FILE, or a path whose kind is detected.
    image: String,
    /// Platform to pick from a multi-arch image (os/arch[/variant]); default: this machine's.
    #[arg(long)]
    platform: Option<String>,
    /// Registry (host[:port]) to reach over plain HTTP; repeatable. Loopback always is.
    #[arg(long = "insecure-registry")]
    insecure_registry: Vec<String>,
    /// Registry user name (else ~/.docker/config.json).
    #[arg(long, env = "PALISADE_REGISTRY_USERNAME")]
    username: Option<String>,
    /// Registry password; prefer the environment variable.
    #[arg(long, env = "PALISADE_REGISTRY_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// Cache for downloaded blobs and per-layer results.
    #[arg(long, env = "PALISADE_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Neither read nor write cached layer results.
    #[arg(long)]
    no_cache: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(run(cli));
    if std::env::var_os("PALISADE_REPORT_PEAK_RSS").is_some() {
        if let Some(kib) = bench::peak_rss_kib() {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("palisade: peak RSS {kib} KiB");
            }
        }
    }
    match result {
        Ok(code) => code,
        Err(e) => {
            // The error chain is the user-facing message: print it plainly on stderr.
            let mut message = format!("error: {e}");
            for cause in e.chain().skip(1) {
                let cause = cause.to_string();
                // Our errors already quote their source in their message; don't repeat it.
                if !message.contains(&cause) {
                    message.push_str(&format!("\n  caused by: {cause}"));
                }
            }
            #[allow(clippy::print_stderr)]
            {
                eprintln!("{message}");
            }
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Sbom {
            image,
            format,
            output,
        } => image_cmd::sbom(&image, format, output.as_deref()).await,
        Command::Image {
            command: ImageCommand::Inspect { image, format },
        } => image_cmd::inspect(&image, format).await,
        Command::Image {
            command:
                ImageCommand::Scan {
                    image,
                    db,
                    osv,
                    kev,
                    severity,
                    fail_on,
                    ignore_unfixed,
                    ignore_file,
                    vex,
                    sign,
                    format,
                    output,
                },
        } => {
            let policy = image_cmd::ScanPolicy {
                fail_on,
                ignore_unfixed,
                ignore_file,
                vex,
                sign,
                severities: severity,
            };
            let data = if osv.is_empty() {
                image_cmd::AdvisoryData::Store(db.dir())
            } else {
                image_cmd::AdvisoryData::Files { osv, kev }
            };
            image_cmd::scan(&image, data, policy, format, output.as_deref()).await
        }
        Command::Db { dir, command } => db_cmd::run(command, &dir).await,
        Command::Keygen { output } => report_cmd::keygen(&output),
        Command::Report {
            command: ReportCommand::Verify { key, file, format },
        } => report_cmd::verify(&key, &file, format),
        Command::Bench {
            command: BenchCommand::SyntheticImage(args),
        } => tokio::task::spawn_blocking(move || bench::synthetic_image(&args)).await?,
        Command::Bench {
            command: BenchCommand::Vulndb(args),
        } => tokio::task::spawn_blocking(move || bench_vulndb::vulndb(&args)).await?,
        Command::Bench {
            command: BenchCommand::AuditRules(args),
        } => tokio::task::spawn_blocking(move || rules_cmd::bench_audit_rules(&args)).await?,
        Command::Bench {
            command: BenchCommand::Posture(args),
        } => tokio::task::spawn_blocking(move || posture_cmd::bench(&args)).await?,
        Command::Posture {
            command: PostureCommand::Scan(args),
        } => tokio::task::spawn_blocking(move || posture_cmd::scan(&args)).await?,
        Command::Posture {
            command: PostureCommand::Inventory(args),
        } => tokio::task::spawn_blocking(move || posture_cmd::inventory(&args)).await?,
        Command::Host {
            command: HostCommand::Scan(args),
        } => host_cmd::scan(&args).await,
        Command::Admission { command } => admission_cmd::run(command).await,
        Command::Policy { command } => policy_cmd::run(&command),
        Command::Explore { command } => {
            tokio::task::spawn_blocking(move || explore_cmd::run(&command)).await?
        }
        Command::Bench {
            command: BenchCommand::Explore(args),
        } => tokio::task::spawn_blocking(move || explore_cmd::bench(&args)).await?,
        Command::Bench {
            command: BenchCommand::Admission(args),
        } => admission_cmd::bench(args).await,
        Command::Rules { command } => rules_cmd::rules(&command),
        Command::Sensor { command } => {
            tokio::task::spawn_blocking(move || sensor_cmd::run(&command)).await?
        }
        Command::Audit {
            command: rules_cmd::AuditCommand::Serve(args),
        } => rules_cmd::serve(args).await,
        Command::Audit { command } => {
            tokio::task::spawn_blocking(move || rules_cmd::audit(&command)).await?
        }
        Command::Server(args) => server_cmd::run(args).await,
        Command::Bench {
            command: BenchCommand::Server(args),
        } => server_cmd::bench(args).await,
        Command::Bench {
            command: BenchCommand::Dashboard(args),
        } => server_cmd::bench_dashboard(args).await,
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}
