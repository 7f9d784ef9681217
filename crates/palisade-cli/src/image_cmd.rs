//! `palisade sbom` and `palisade image inspect`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use palisade_catalog::ScanOptions;
use palisade_image::{ImageRef, OpenOptions, PlatformSpec, RegistryOptions, Secret};
use palisade_model::Inventory;
use palisade_report::SbomFormat;

use crate::progress::{DownloadProgress, LayerProgress};
use crate::{Format, ImageArgs, InspectFormat, ScanFormat};

fn cache_root(args: &ImageArgs) -> PathBuf {
    if let Some(dir) = &args.cache_dir {
        return dir.clone();
    }
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(xdg).join("palisade");
    }
    if let Some(home) = std::env::var_os("HOME") {
        return PathBuf::from(home).join(".cache/palisade");
    }
    std::env::temp_dir().join("palisade-cache")
}

fn open_options(args: &ImageArgs) -> anyhow::Result<OpenOptions> {
    let platform = match &args.platform {
        Some(p) => PlatformSpec::parse(p)?,
        None => PlatformSpec::host(),
    };
    Ok(OpenOptions {
        platform,
        registry: RegistryOptions {
            insecure: args.insecure_registry.clone(),
            username: args.username.clone(),
            password: args.password.clone().map(Secret::new),
            cache_dir: cache_root(args),
            progress: Some(std::sync::Arc::new(DownloadProgress::new())),
        },
    })
}

/// Opens and catalogs the image (or reads the SBOM) named in `args`.
async fn inventory(args: &ImageArgs) -> anyhow::Result<Inventory> {
    let reference = ImageRef::parse(&args.image)?;
    if let ImageRef::Sbom(path) = &reference {
        return read_sbom_file(path, &args.image);
    }
    let options = open_options(args)?;
    let image = palisade_image::open(&reference, &options)
        .await
        .with_context(|| format!("opening {}", args.image))?;
    let scan_options = ScanOptions {
        cache_dir: (!args.no_cache).then(|| cache_root(args)),
        ..Default::default()
    };
    let source = args.image.clone();
    let inventory = tokio::task::spawn_blocking(move || {
        let progress = LayerProgress::new();
        let result = palisade_catalog::scan(&image, &source, &scan_options, Some(&progress));
        progress.finish();
        result
    })
    .await??;
    Ok(inventory)
}

pub async fn sbom(
    args: &ImageArgs,
    format: Format,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let inventory = inventory(args).await?;
    let format = match format {
        Format::Table => SbomFormat::Table,
        Format::Json => SbomFormat::Json,
        Format::Cyclonedx => SbomFormat::CycloneDx,
        Format::Spdx => SbomFormat::Spdx,
    };
    let context = palisade_report::DocumentContext {
        timestamp: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        uuid: uuid::Uuid::new_v4().to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let mut buffer = Vec::new();
    palisade_report::write_sbom(&inventory, format, &context, &mut buffer)?;
    write_output(output, &buffer)?;
    Ok(ExitCode::SUCCESS)
}

/// What makes `palisade image scan` fail a CI pipeline, and what it leaves out.
#[derive(Debug, Clone)]
pub struct ScanPolicy {
    pub fail_on: Option<palisade_model::Severity>,
    pub ignore_unfixed: bool,
    pub ignore_file: Option<PathBuf>,
    pub vex: Vec<PathBuf>,
    /// Sign the report with this private key (`report_cmd::sign`) instead of writing it.
    pub sign: Option<PathBuf>,
    /// Report only findings of these severities (empty: all).
    pub severities: Vec<palisade_model::Severity>,
}

/// Where `image scan` takes advisories from.
#[derive(Debug, Clone)]
pub enum AdvisoryData {
    /// The local database (`palisade db update`), in this directory.
    Store(PathBuf),
    /// OSV `all.zip` files and optionally a KEV catalog, read into memory for this scan.
    Files {
        osv: Vec<PathBuf>,
        kev: Option<PathBuf>,
    },
}

/// The suppression rules of `policy`: its ignore file (or ./.palisadeignore) and VEX documents.
fn suppression_rules(policy: &ScanPolicy) -> anyhow::Result<Vec<palisade_vulndb::suppress::Rule>> {
    use palisade_vulndb::suppress::{parse_ignore_file, parse_openvex};
    let mut rules = Vec::new();
    let default = PathBuf::from(".palisadeignore");
    let ignore_file = match &policy.ignore_file {
        Some(path) => Some(path.clone()),
        None => default.is_file().then_some(default),
    };
    if let Some(path) = ignore_file {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        rules.extend(parse_ignore_file(&text, &path.display().to_string())?);
    }
    for path in &policy.vex {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        rules.extend(parse_openvex(&bytes, &path.display().to_string())?);
    }
    Ok(rules)
}

/// `palisade image scan`: catalog the image, then match its packages against OSV data.
pub async fn scan(
    args: &ImageArgs,
    data: AdvisoryData,
    policy: ScanPolicy,
    format: ScanFormat,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let started = std::time::SystemTime::now();
    let signer = policy
        .sign
        .as_deref()
        .map(crate::report_cmd::load_private_key)
        .transpose()?;
    // Open the database before the (long) image walk, so a missing database fails fast.
    let store = match &data {
        AdvisoryData::Store(dir) => Some(palisade_vulndb::Store::open(dir)?),
        AdvisoryData::Files { .. } => None,
    };
    let inventory = inventory(args).await?;
    // The inventory goes to the blocking matcher and comes back with the findings.
    let (inventory, (mut findings, databases)) = tokio::task::spawn_blocking(move || {
        let assessed = match (store, data) {
            (Some(store), _) => store_findings(&store, &inventory),
            (None, AdvisoryData::Files { osv, kev }) => {
                file_findings(&osv, kev.as_deref(), &inventory)
            }
            (None, AdvisoryData::Store(_)) => unreachable!("the store was opened above"),
        };
        assessed.map(|a| (inventory, a))
    })
    .await??;
    if !policy.severities.is_empty() {
        findings.retain(|f| policy.severities.contains(&f.severity));
    }
    if policy.ignore_unfixed {
        findings.retain(|f| f.status == palisade_model::FixStatus::Fixed);
    }
    let rules = suppression_rules(&policy)?;
    let today = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let (findings, suppressed) =
        palisade_vulndb::suppress::apply(findings, &rules, today.get(..10).unwrap_or(""));
    let suppressed = suppressed
        .into_iter()
        .map(|(finding, suppression)| palisade_model::SuppressedFinding {
            finding,
            suppression,
        })
        .collect();
    let failing = policy.fail_on.map_or(0, |threshold| {
        findings.iter().filter(|f| f.severity >= threshold).count()
    });
    let report = palisade_model::ScanReport {
        source: inventory.source.clone(),
        artifact: inventory.artifact.clone(),
        os: inventory.os.clone(),
        databases,
        packages_scanned: inventory.packages.len(),
        remediations: palisade_vulndb::remediations(&findings),
        findings,
        suppressed,
    };
    let mut buffer = Vec::new();
    match format {
        ScanFormat::Cyclonedx => palisade_report::write_vulnerability_bom(
            &inventory,
            &report,
            &crate::report_cmd::document_context(),
            &mut buffer,
        )?,
        ScanFormat::Table => {
            use std::io::IsTerminal;
            let color = output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let format = if color {
                palisade_report::FindingsFormat::ColorTable
            } else {
                palisade_report::FindingsFormat::Table
            };
            palisade_report::write_findings(&report, format, &mut buffer)?
        }
        ScanFormat::Json => palisade_report::write_findings(
            &report,
            palisade_report::FindingsFormat::Json,
            &mut buffer,
        )?,
        ScanFormat::Sarif => {
            palisade_report::write_sarif(&report, env!("CARGO_PKG_VERSION"), &mut buffer)?
        }
    }
    if let Some(key) = &signer {
        buffer = crate::report_cmd::sign(&report, key, started)?;
    }
    write_output(output, &buffer)?;
    if failing > 0 {
        tracing::warn!("{failing} findings at or above the --fail-on severity");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

type Assessed = (
    Vec<palisade_model::Finding>,
    Vec<palisade_model::DatabaseInfo>,
);

/// Findings from the local database, and what it was built from.
fn store_findings(
    store: &palisade_vulndb::Store,
    inventory: &Inventory,
) -> anyhow::Result<Assessed> {
    let findings = palisade_vulndb::assess(inventory, store, store)?;
    let mut databases = vec![palisade_model::DatabaseInfo {
        source: store.path().display().to_string(),
        digest: store.digest()?,
        records: 0,
        skipped: 0,
    }];
    for feed in store.feeds()? {
        databases.push(palisade_model::DatabaseInfo {
            source: format!("{} ({})", feed.name, feed.source),
            digest: feed
                .sha256
                .map(|s| format!("sha256:{s}"))
                .unwrap_or_default(),
            records: feed.records as usize,
            skipped: feed.skipped as usize,
        });
    }
    databases[0].records = databases[1..].iter().map(|d| d.records).sum();
    Ok((findings, databases))
}

/// Findings from OSV files (and a KEV catalog) given on the command line.
fn file_findings(
    osv: &[PathBuf],
    kev: Option<&Path>,
    inventory: &Inventory,
) -> anyhow::Result<Assessed> {
    let (index, mut databases) = load_osv(osv)?;
    let mut findings = index.findings(inventory);
    if let Some(path) = kev {
        use sha2::Digest;
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let catalog = palisade_vulndb::feed::kev::read_kev(&bytes)
            .with_context(|| format!("reading {}", path.display()))?;
        databases.push(palisade_model::DatabaseInfo {
            source: path.display().to_string(),
            digest: format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes))),
            records: catalog.entries.len(),
            skipped: catalog.skipped,
        });
        palisade_vulndb::apply_kev(&mut findings, &catalog);
    }
    Ok((findings, databases))
}

fn load_osv(
    paths: &[PathBuf],
) -> anyhow::Result<(palisade_vulndb::OsvIndex, Vec<palisade_model::DatabaseInfo>)> {
    use sha2::Digest;
    let mut records = Vec::new();
    let mut databases = Vec::new();
    for path in paths {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let digest = format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes)));
        let load = palisade_vulndb::feed::osv_zip::read_all(std::io::Cursor::new(bytes))
            .with_context(|| format!("reading {}", path.display()))?;
        for (name, why) in &load.skipped {
            tracing::warn!("{}: skipped {name}: {why}", path.display());
        }
        databases.push(palisade_model::DatabaseInfo {
            source: path.display().to_string(),
            digest,
            records: load.records.len(),
            skipped: load.skipped.len(),
        });
        records.extend(load.records);
    }
    Ok((palisade_vulndb::OsvIndex::new(records), databases))
}

pub async fn inspect(args: &ImageArgs, format: InspectFormat) -> anyhow::Result<ExitCode> {
    let reference = ImageRef::parse(&args.image)?;
    let options = open_options(args)?;
    let image = palisade_image::open(&reference, &options)
        .await
        .with_context(|| format!("opening {}", args.image))?;
    let artifact = &image.artifact;
    let mut out = Vec::new();
    match format {
        InspectFormat::Json => {
            serde_json::to_writer_pretty(&mut out, artifact)?;
            writeln!(out)?;
        }
        InspectFormat::Table => {
            writeln!(out, "Name:          {}", artifact.name)?;
            for (label, value) in [
                ("Manifest:", artifact.manifest_digest.as_deref()),
                ("Image ID:", artifact.config_digest.as_deref()),
                ("OS/Arch:", None),
            ] {
                if let Some(v) = value {
                    writeln!(out, "{label:<15}{v}")?;
                }
            }
            if let (Some(os), Some(arch)) = (&artifact.os, &artifact.architecture) {
                writeln!(out, "{:<15}{os}/{arch}", "Platform:")?;
            }
            for tag in &artifact.repo_tags {
                writeln!(out, "{:<15}{tag}", "Tag:")?;
            }
            for digest in &artifact.repo_digests {
                writeln!(out, "{:<15}{digest}", "Repo digest:")?;
            }
            writeln!(out, "Layers:")?;
            for (i, l) in artifact.layers.iter().enumerate() {
                writeln!(
                    out,
                    "  {i:>2}  {}  {:>12}  {}",
                    l.diff_id,
                    l.size,
                    l.created_by
                        .as_deref()
                        .unwrap_or("")
                        .chars()
                        .take(60)
                        .collect::<String>()
                )?;
            }
        }
    }
    write_output(None, &out)?;
    Ok(ExitCode::SUCCESS)
}

/// `sbom:FILE`: a CycloneDX or SPDX JSON document read back into an inventory.
fn read_sbom_file(path: &Path, source: &str) -> anyhow::Result<Inventory> {
    use std::io::Read;
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(palisade_report::MAX_SBOM_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    let mut inventory = palisade_report::read_sbom(&bytes)
        .with_context(|| format!("reading the SBOM {}", path.display()))?;
    inventory.source = source.to_string();
    Ok(inventory)
}

fn write_output(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
        }
    }
    Ok(())
}
