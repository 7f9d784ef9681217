//! The `palisade` command line: argument definitions and wiring only.

mod bench;
mod image_cmd;
mod posture_cmd;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Palisade: container security in one binary.
#[derive(Debug, Parser)]
#[command(name = "palisade", version, about)]
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
    /// Benchmarks (figures for the issue notes).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Work with images.
    Image {
        #[command(subcommand)]
        command: ImageCommand,
    },
    /// Kubernetes posture: misconfigurations in manifests, with remediation and frameworks.
    Posture {
        #[command(subcommand)]
        command: PostureCommand,
    },
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
enum BenchCommand {
    /// Scan a large synthetic image (default 2 GiB, 100k files, 10 layers): time and peak RSS.
    SyntheticImage(bench::SyntheticArgs),
    /// Load and evaluate 10,000 synthetic Kubernetes objects on one core: time and peak RSS.
    Posture(posture_cmd::BenchArgs),
}

#[derive(Debug, Subcommand)]
enum ImageCommand {
    /// Find known vulnerabilities in an image's language packages, from OSV data files.
    Scan {
        #[command(flatten)]
        image: ImageArgs,
        /// An OSV `all.zip` (as osv.dev publishes per ecosystem); repeatable.
        #[arg(long = "osv", required = true)]
        osv: Vec<PathBuf>,
        /// CISA's known_exploited_vulnerabilities.json: marks exploited findings, listed first.
        #[arg(long)]
        kev: Option<PathBuf>,
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
                    osv,
                    kev,
                    fail_on,
                    ignore_unfixed,
                    ignore_file,
                    vex,
                    format,
                    output,
                },
        } => {
            let policy = image_cmd::ScanPolicy {
                fail_on,
                ignore_unfixed,
                ignore_file,
                vex,
            };
            image_cmd::scan(
                &image,
                &osv,
                kev.as_deref(),
                policy,
                format,
                output.as_deref(),
            )
            .await
        }
        Command::Bench {
            command: BenchCommand::SyntheticImage(args),
        } => tokio::task::spawn_blocking(move || bench::synthetic_image(&args)).await?,
        Command::Bench {
            command: BenchCommand::Posture(args),
        } => tokio::task::spawn_blocking(move || posture_cmd::bench(&args)).await?,
        Command::Posture {
            command: PostureCommand::Scan(args),
        } => tokio::task::spawn_blocking(move || posture_cmd::scan(&args)).await?,
        Command::Posture {
            command: PostureCommand::Inventory(args),
        } => tokio::task::spawn_blocking(move || posture_cmd::inventory(&args)).await?,
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
