//! `palisade db update|status|export|import`: the local vulnerability database.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Subcommand, ValueEnum};
use palisade_vulndb::store::{Store, DB_FILE};
use palisade_vulndb::update::{update, UpdateOptions};
use sha2::Digest;

/// Where the database lives.
#[derive(Debug, Clone, clap::Args)]
pub struct DbDirArgs {
    /// Database directory (default: $XDG_CACHE_HOME/palisade/db or ~/.cache/palisade/db).
    #[arg(long, env = "PALISADE_DB_DIR", global = true)]
    pub db_dir: Option<PathBuf>,
}

impl DbDirArgs {
    pub fn dir(&self) -> PathBuf {
        if let Some(dir) = &self.db_dir {
            return dir.clone();
        }
        if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME") {
            return PathBuf::from(xdg).join("palisade/db");
        }
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(".cache/palisade/db");
        }
        std::env::temp_dir().join("palisade-db")
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DbFormat {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Download the feeds (or read them from --source paths) and rebuild the database;
    /// unchanged feeds are not downloaded again. Exit 1 when a feed failed (its previous
    /// data is kept).
    Update {
        /// Update only these feeds (repeatable; default: every feed with a source).
        /// Known: osv-{debian,ubuntu,alpine,redhat,rocky,alma,suse,pypi,npm,go,crates,maven,
        /// rubygems,packagist,nuget}, debian-tracker, alpine-secdb, nvd, kev, epss; detection
        /// lists (written to lists/ beside the database, loaded by the rules):
        /// list-{tor-exit-nodes,proxy-networks,malicious-networks,malicious-domains,miner-pools}.
        #[arg(long = "feed", value_name = "NAME")]
        feeds: Vec<String>,
        /// Point a feed at a mirror URL, a local file or a directory: NAME=URL|PATH (repeatable).
        #[arg(long = "source", value_name = "NAME=URL|PATH", value_parser = parse_source)]
        sources: Vec<(String, String)>,
        #[arg(short, long, value_enum, default_value_t = DbFormat::Table)]
        format: DbFormat,
    },
    /// Show the database's age, feeds, sources and counts.
    Status {
        #[arg(short, long, value_enum, default_value_t = DbFormat::Table)]
        format: DbFormat,
    },
    /// Write an offline bundle (database + manifest with sha256, signed with an Ed25519 key).
    Export {
        /// The bundle to write (a tar file).
        file: PathBuf,
        /// Ed25519 private key (PKCS#8 PEM, from `palisade keygen`) to sign the manifest.
        #[arg(long)]
        key: PathBuf,
    },
    /// Verify an offline bundle against a public key, then install its database.
    Import {
        file: PathBuf,
        /// The publisher's Ed25519 public key (SPKI PEM).
        #[arg(long)]
        key: PathBuf,
    },
}

fn parse_source(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, source)) if !name.is_empty() && !source.is_empty() => {
            Ok((name.to_string(), source.to_string()))
        }
        _ => Err(format!("expected NAME=URL|PATH, got {text:?}")),
    }
}

pub async fn run(command: DbCommand, dir: &DbDirArgs) -> anyhow::Result<ExitCode> {
    let dir = dir.dir();
    tokio::task::spawn_blocking(move || match command {
        DbCommand::Update {
            feeds,
            sources,
            format,
        } => run_update(&dir, feeds, sources, format),
        DbCommand::Status { format } => status(&dir, format),
        DbCommand::Export { file, key } => export(&dir, &file, &key),
        DbCommand::Import { file, key } => import(&dir, &file, &key),
    })
    .await?
}

fn run_update(
    dir: &Path,
    feeds: Vec<String>,
    sources: Vec<(String, String)>,
    format: DbFormat,
) -> anyhow::Result<ExitCode> {
    use palisade_vulndb::lists::{is_list_feed, update_lists};
    let fetcher = palisade_vulndb::fetch::HttpFetcher::new()?;
    let started = std::time::Instant::now();
    // List feeds (`list-*`: TOR exit nodes, proxies, malicious networks and domains, miner
    // pools) are files beside the database; the rest are the vulnerability feeds.
    let (list_feeds, feeds): (Vec<String>, Vec<String>) =
        feeds.into_iter().partition(|f| is_list_feed(f));
    let (list_sources, sources): (Vec<_>, Vec<_>) =
        sources.into_iter().partition(|(f, _)| is_list_feed(f));
    let everything = feeds.is_empty() && list_feeds.is_empty();
    let mut outcomes = Vec::new();
    if everything || !feeds.is_empty() {
        outcomes = update(dir, &UpdateOptions { feeds, sources }, &fetcher)
            .with_context(|| format!("updating the database in {}", dir.display()))?;
    }
    if everything || !list_feeds.is_empty() {
        outcomes.extend(update_lists(dir, &list_feeds, &list_sources, &fetcher));
    }
    let elapsed = started.elapsed();
    let mut out = Vec::new();
    match format {
        DbFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &outcomes)?;
            writeln!(out)?;
        }
        DbFormat::Table => {
            writeln!(
                out,
                "{:<16} {:<10} {:>9} {:>8}  SOURCE",
                "FEED", "RESULT", "RECORDS", "SKIPPED"
            )?;
            for o in &outcomes {
                writeln!(
                    out,
                    "{:<16} {:<10} {:>9} {:>8}  {}",
                    o.name, o.result, o.records, o.skipped, o.source
                )?;
                if let Some(e) = &o.error {
                    writeln!(out, "    error: {e}")?;
                }
            }
            writeln!(
                out,
                "\n{} in {:.1} s",
                dir.join(DB_FILE).display(),
                elapsed.as_secs_f64()
            )?;
        }
    }
    std::io::stdout().lock().write_all(&out)?;
    let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
    if failed > 0 {
        tracing::warn!("{failed} feeds failed; their previous data (if any) was kept");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn status(dir: &Path, format: DbFormat) -> anyhow::Result<ExitCode> {
    let store = Store::open(dir)?;
    let built_at = store.meta("built_at")?.unwrap_or_default();
    let feeds = store.feeds()?;
    let counts = store.counts()?;
    let size = std::fs::metadata(store.path())?.len();
    let age = humantime::parse_rfc3339(&built_at)
        .ok()
        .and_then(|t| std::time::SystemTime::now().duration_since(t).ok())
        .map(|d| std::time::Duration::from_secs(d.as_secs()));
    let mut out = Vec::new();
    match format {
        DbFormat::Json => {
            let value = serde_json::json!({
                "path": store.path(),
                "schema_version": palisade_vulndb::store::SCHEMA_VERSION,
                "built_at": built_at,
                "age_seconds": age.map(|a| a.as_secs()),
                "size_bytes": size,
                "counts": counts.iter().map(|(t, n)| (t.to_string(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
                "feeds": feeds,
            });
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        DbFormat::Table => {
            writeln!(out, "Database:  {}", store.path().display())?;
            writeln!(
                out,
                "Built:     {built_at} ({} ago)",
                age.map_or("?".into(), |a| humantime::format_duration(a).to_string())
            )?;
            writeln!(out, "Size:      {:.1} MiB", size as f64 / 1048576.0)?;
            let counts: Vec<String> = counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
            writeln!(out, "Rows:      {}", counts.join(", "))?;
            writeln!(
                out,
                "\n{:<16} {:>9} {:>8}  {:<20}  SOURCE",
                "FEED", "RECORDS", "SKIPPED", "UPDATED"
            )?;
            for f in &feeds {
                writeln!(
                    out,
                    "{:<16} {:>9} {:>8}  {:<20}  {}",
                    f.name, f.records, f.skipped, f.updated_at, f.source
                )?;
            }
        }
    }
    std::io::stdout().lock().write_all(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// The bundle's manifest: what the database is, and its digest. The signature covers these
/// exact bytes.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    format: String,
    schema_version: u32,
    built_at: String,
    exported_at: String,
    database: ManifestFile,
    feeds: Vec<serde_json::Value>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct ManifestFile {
    name: String,
    size: u64,
    sha256: String,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct ManifestSignature {
    keyid: String,
    /// Base64 Ed25519 signature over manifest.json's bytes.
    sig: String,
}

const BUNDLE_FORMAT: &str = "palisade-db-bundle/v1";
const MANIFEST: &str = "manifest.json";
const SIGNATURE: &str = "manifest.sig";
/// Manifests and signatures are tiny; anything bigger is not ours.
const MAX_SMALL_ENTRY: u64 = 1024 * 1024;
/// A database bigger than this is refused on import.
const MAX_DATABASE: u64 = 16 * 1024 * 1024 * 1024;

fn export(dir: &Path, file: &Path, key: &Path) -> anyhow::Result<ExitCode> {
    use base64::Engine;
    let key = crate::report_cmd::load_private_key(key)?;
    let store = Store::open(dir)?;
    let db_path = store.path().to_path_buf();
    let built_at = store.meta("built_at")?.unwrap_or_default();
    let feeds = store
        .feeds()?
        .into_iter()
        .map(|f| serde_json::to_value(f).unwrap_or_default())
        .collect();
    // The digest recorded when the database was built (recomputed only if that record is stale).
    let digest = store.digest()?;
    drop(store);
    let size = std::fs::metadata(&db_path)?.len();
    let manifest = Manifest {
        format: BUNDLE_FORMAT.into(),
        schema_version: palisade_vulndb::store::SCHEMA_VERSION,
        built_at,
        exported_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        database: ManifestFile {
            name: DB_FILE.into(),
            size,
            sha256: digest.trim_start_matches("sha256:").to_string(),
        },
        feeds,
    };
    let manifest_bytes = serde_json::to_vec_pretty(&manifest)?;
    let signature = ManifestSignature {
        keyid: key.public_key().key_id(),
        sig: base64::engine::general_purpose::STANDARD
            .encode(palisade_report::keys::sign_bytes(&key, &manifest_bytes)),
    };
    let signature_bytes = serde_json::to_vec_pretty(&signature)?;
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = tempfile::NamedTempFile::new_in(parent)?;
    {
        let mut tar = tar::Builder::new(std::io::BufWriter::new(temp.as_file()));
        for (name, bytes) in [(MANIFEST, &manifest_bytes), (SIGNATURE, &signature_bytes)] {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, name, bytes.as_slice())?;
        }
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, DB_FILE, std::fs::File::open(&db_path)?)?;
        tar.into_inner()?.flush()?;
    }
    temp.persist(file)
        .with_context(|| format!("writing {}", file.display()))?;
    tracing::info!("wrote {} ({} bytes of database)", file.display(), size);
    Ok(ExitCode::SUCCESS)
}

/// Reads the bundle: manifest and signature first (verified before the database is even
/// unpacked), then the database into a temporary file beside the current one, checked
/// against the manifest's sha256, opened to check its schema, and renamed into place.
fn import(dir: &Path, file: &Path, key: &Path) -> anyhow::Result<ExitCode> {
    use base64::Engine;
    let public = crate::report_cmd::load_public_key(key)?;
    std::fs::create_dir_all(dir)?;
    let bundle =
        std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let mut archive = tar::Archive::new(std::io::BufReader::new(bundle));
    let (mut manifest_bytes, mut signature_bytes) = (None, None);
    let mut manifest: Option<Manifest> = None;
    let mut installed = None;
    for entry in archive.entries()? {
        let mut entry = entry?;
        let name = entry.path()?.to_string_lossy().into_owned();
        match name.as_str() {
            MANIFEST | SIGNATURE => {
                if entry.size() > MAX_SMALL_ENTRY {
                    bail!("{name} in the bundle is too large");
                }
                let mut bytes = Vec::new();
                (&mut entry).take(MAX_SMALL_ENTRY).read_to_end(&mut bytes)?;
                if name == MANIFEST {
                    manifest_bytes = Some(bytes);
                } else {
                    signature_bytes = Some(bytes);
                }
                if let (Some(m), Some(s)) = (&manifest_bytes, &signature_bytes) {
                    let signature: ManifestSignature =
                        serde_json::from_slice(s).context("reading the bundle's signature")?;
                    let sig = base64::engine::general_purpose::STANDARD
                        .decode(signature.sig.as_bytes())
                        .context("the bundle's signature is not base64")?;
                    palisade_report::keys::verify_bytes(&public, m, &sig).map_err(|e| {
                        anyhow::anyhow!(
                            "the bundle's signature does not verify with {}: {e}",
                            key.display()
                        )
                    })?;
                    let parsed: Manifest =
                        serde_json::from_slice(m).context("reading the bundle's manifest")?;
                    if parsed.format != BUNDLE_FORMAT {
                        bail!("unsupported bundle format {:?}", parsed.format);
                    }
                    if parsed.schema_version != palisade_vulndb::store::SCHEMA_VERSION {
                        bail!(
                            "the bundle holds schema version {}, this palisade reads {}",
                            parsed.schema_version,
                            palisade_vulndb::store::SCHEMA_VERSION
                        );
                    }
                    manifest = Some(parsed);
                }
            }
            DB_FILE => {
                let Some(manifest) = &manifest else {
                    bail!("the bundle's database comes before its verified manifest");
                };
                if entry.size() != manifest.database.size || entry.size() > MAX_DATABASE {
                    bail!("the bundle's database size does not match its manifest");
                }
                let mut temp = tempfile::NamedTempFile::new_in(dir)?;
                let mut hasher = sha2::Sha256::new();
                let mut reader = (&mut entry).take(MAX_DATABASE);
                let mut buffer = vec![0u8; 1 << 16];
                loop {
                    let n = reader.read(&mut buffer)?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buffer[..n]);
                    temp.write_all(&buffer[..n])?;
                }
                if hex::encode(hasher.finalize()) != manifest.database.sha256 {
                    bail!("the bundle's database does not match the sha256 in its signed manifest");
                }
                temp.as_file().sync_all()?;
                Store::open(temp.path()).context("the bundle's database does not open")?;
                installed = Some(temp);
            }
            other => bail!("unexpected entry {other:?} in the bundle"),
        }
    }
    let (Some(manifest), Some(temp)) = (manifest, installed) else {
        bail!("the bundle lacks its manifest, signature or database");
    };
    let target = dir.join(DB_FILE);
    temp.persist(&target)
        .with_context(|| format!("installing {}", target.display()))?;
    std::fs::File::open(dir)?.sync_all()?;
    palisade_vulndb::store::write_digest(dir)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "installed {} (built {}, signed manifest verified, sha256 {})",
        target.display(),
        manifest.built_at,
        manifest.database.sha256
    )?;
    Ok(ExitCode::SUCCESS)
}
