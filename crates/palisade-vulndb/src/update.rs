//! `palisade db update`: fetch each feed (or read it from a local path), ingest what changed,
//! copy what did not, and swap the new database in.
//!
//! Each feed has a name (`osv-pypi`, `nvd`, `kev`, `epss`, `debian-tracker`, ...), a kind that
//! says how to read it, and a default public URL; `--source NAME=URL|PATH` points it at a
//! mirror, a local file or a directory. A feed is re-ingested only when it changed: HTTP
//! sources are asked with `If-None-Match` / `If-Modified-Since` (a `304` copies the previous
//! rows), local files are compared by sha256. A feed that fails keeps its previous rows and is
//! reported; the others still update.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use crate::feed;
use crate::store::builder::{FeedMeta, StoreBuilder};
use crate::store::StoreError;

/// How a feed's documents are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedKind {
    /// OSV per-ecosystem `all.zip`, or a directory of OSV JSON records.
    OsvZip,
    /// NVD CVE API 2.0: paged over HTTP; a page, a yearly feed file (`.json[.gz]`) or a
    /// directory of them locally.
    Nvd,
    Kev,
    Epss,
    DebianTracker,
    /// One secdb document (JSON or YAML) or a directory of them (`v3.19/main.yaml` ...).
    AlpineSecdb,
}

impl FeedKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::OsvZip => "osv",
            Self::Nvd => "nvd",
            Self::Kev => "kev",
            Self::Epss => "epss",
            Self::DebianTracker => "debian-tracker",
            Self::AlpineSecdb => "alpine-secdb",
        }
    }
}

/// One feed: its name, kind and where it comes from by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSpec {
    pub name: String,
    pub kind: FeedKind,
    /// `None` for feeds that have no single public URL (they need `--source`).
    pub default_source: Option<String>,
}

const OSV_BASE: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// The OSV ecosystems fetched by default, with their feed names.
const OSV_ECOSYSTEMS: &[(&str, &str)] = &[
    ("osv-debian", "Debian"),
    ("osv-ubuntu", "Ubuntu"),
    ("osv-alpine", "Alpine"),
    ("osv-redhat", "Red Hat"),
    ("osv-rocky", "Rocky Linux"),
    ("osv-alma", "AlmaLinux"),
    ("osv-suse", "SUSE"),
    ("osv-opensuse", "openSUSE"),
    ("osv-pypi", "PyPI"),
    ("osv-npm", "npm"),
    ("osv-go", "Go"),
    ("osv-crates", "crates.io"),
    ("osv-maven", "Maven"),
    ("osv-rubygems", "RubyGems"),
    ("osv-packagist", "Packagist"),
    ("osv-nuget", "NuGet"),
];

/// Every feed Palisade knows, in update order.
pub fn known_feeds() -> Vec<FeedSpec> {
    let mut feeds: Vec<FeedSpec> = OSV_ECOSYSTEMS
        .iter()
        .map(|(name, ecosystem)| FeedSpec {
            name: (*name).to_string(),
            kind: FeedKind::OsvZip,
            default_source: Some(format!(
                "{OSV_BASE}/{}/all.zip",
                ecosystem.replace(' ', "%20")
            )),
        })
        .collect();
    let fixed = [
        (
            "debian-tracker",
            FeedKind::DebianTracker,
            Some("https://security-tracker.debian.org/tracker/data/json"),
        ),
        ("alpine-secdb", FeedKind::AlpineSecdb, None),
        (
            "nvd",
            FeedKind::Nvd,
            Some("https://services.nvd.nist.gov/rest/json/cves/2.0"),
        ),
        (
            "kev",
            FeedKind::Kev,
            Some("https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"),
        ),
        (
            "epss",
            FeedKind::Epss,
            Some("https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"),
        ),
    ];
    feeds.extend(fixed.into_iter().map(|(name, kind, source)| FeedSpec {
        name: name.to_string(),
        kind,
        default_source: source.map(String::from),
    }));
    feeds
}

/// Validators from the previous fetch, sent so an unchanged feed answers `304`.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug)]
pub enum FetchOutcome {
    NotModified,
    Downloaded {
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: {message}")]
    Failed { url: String, message: String },
    #[error("{url}: more than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Downloads URLs; the HTTP implementation is [`crate::fetch::HttpFetcher`].
pub trait Fetcher {
    /// Fetches `url` into `dest` unless the validators show it unchanged.
    fn fetch(
        &self,
        url: &str,
        validators: &Validators,
        dest: &mut File,
    ) -> Result<FetchOutcome, FetchError>;
}

/// What happened to one feed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FeedOutcome {
    pub name: String,
    pub source: String,
    /// `updated`, `unchanged`, `kept` (failed: previous rows kept), `failed` (no previous rows)
    /// or `carried` (not selected in this update: previous rows kept).
    pub result: String,
    pub records: u64,
    pub skipped: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("unknown feed {0:?} (known: {1})")]
    UnknownFeed(String, String),
    #[error("feed {0} has no default source: give one with --source {0}=URL|PATH")]
    NoSource(String),
}

#[derive(Debug, Clone, Default)]
pub struct UpdateOptions {
    /// Feeds to update (default: every feed with a source).
    pub feeds: Vec<String>,
    /// `(feed, URL or path)` overrides.
    pub sources: Vec<(String, String)>,
}

/// Updates the database in `dir`. Feeds that are not selected keep their previous rows.
pub fn update(
    dir: &Path,
    options: &UpdateOptions,
    fetcher: &dyn Fetcher,
) -> Result<Vec<FeedOutcome>, UpdateError> {
    let known = known_feeds();
    let names = known
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    for name in options
        .feeds
        .iter()
        .chain(options.sources.iter().map(|(n, _)| n))
    {
        if !known.iter().any(|f| &f.name == name) {
            return Err(UpdateError::UnknownFeed(name.clone(), names));
        }
    }
    let source_of = |spec: &FeedSpec| {
        options
            .sources
            .iter()
            .rev()
            .find(|(n, _)| *n == spec.name)
            .map(|(_, s)| s.clone())
            .or_else(|| spec.default_source.clone())
    };
    let selected: Vec<&FeedSpec> = if options.feeds.is_empty() {
        known.iter().filter(|f| source_of(f).is_some()).collect()
    } else {
        known
            .iter()
            .filter(|f| options.feeds.contains(&f.name))
            .collect()
    };
    let mut builder = StoreBuilder::begin(dir)?;
    let mut outcomes = Vec::new();
    for spec in &known {
        let previous = builder.previous(&spec.name)?;
        if !selected.iter().any(|s| s.name == spec.name) {
            if let Some(previous) = previous {
                builder.copy_feed(&spec.name)?;
                outcomes.push(FeedOutcome {
                    name: spec.name.clone(),
                    source: previous.source,
                    result: "carried".into(),
                    records: previous.records,
                    skipped: previous.skipped,
                    error: None,
                });
            }
            continue;
        }
        let source = source_of(spec).ok_or_else(|| UpdateError::NoSource(spec.name.clone()))?;
        let span = tracing::info_span!("feed", name = %spec.name);
        let _guard = span.enter();
        match update_feed(&mut builder, spec, &source, previous.as_ref(), fetcher, dir) {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => {
                tracing::warn!("{}: {error}", spec.name);
                builder.discard_feed(&spec.name)?;
                let result = if previous.is_some() {
                    builder.copy_feed(&spec.name)?;
                    "kept"
                } else {
                    "failed"
                };
                outcomes.push(FeedOutcome {
                    name: spec.name.clone(),
                    source,
                    result: result.into(),
                    records: previous.as_ref().map_or(0, |p| p.records),
                    skipped: previous.as_ref().map_or(0, |p| p.skipped),
                    error: Some(error.to_string()),
                });
            }
        }
    }
    builder.commit()?;
    Ok(outcomes)
}

/// Why one feed could not be updated (the update goes on with the others).
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{0}")]
    Read(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn update_feed(
    builder: &mut StoreBuilder,
    spec: &FeedSpec,
    source: &str,
    previous: Option<&crate::store::FeedStatus>,
    fetcher: &dyn Fetcher,
    dir: &Path,
) -> Result<FeedOutcome, FeedError> {
    let same_source = previous.is_some_and(|p| p.source == source);
    let mut meta = FeedMeta {
        kind: spec.kind.as_str().into(),
        source: source.to_string(),
        ..FeedMeta::default()
    };
    let unchanged = |builder: &mut StoreBuilder| -> Result<FeedOutcome, FeedError> {
        builder.copy_feed(&spec.name)?;
        let previous = previous.expect("only called with a previous feed");
        Ok(FeedOutcome {
            name: spec.name.clone(),
            source: source.to_string(),
            result: "unchanged".into(),
            records: previous.records,
            skipped: previous.skipped,
            error: None,
        })
    };
    let is_url = source.starts_with("http://") || source.starts_with("https://");
    let counts = if is_url {
        if spec.kind == FeedKind::Nvd {
            match previous.filter(|_| same_source).and_then(nvd_window_start) {
                // Recent enough: keep the previous rows, fetch only what changed since.
                Some(start) => {
                    builder.copy_feed(&spec.name)?;
                    let end = crate::store::builder::now();
                    let separator = if source.contains('?') { '&' } else { '?' };
                    let url =
                        format!("{source}{separator}lastModStartDate={start}&lastModEndDate={end}");
                    let (_, skipped) = ingest_nvd_api(builder, &spec.name, &url, fetcher, dir)?;
                    (builder.feed_rows(&spec.name)?, skipped)
                }
                None => ingest_nvd_api(builder, &spec.name, source, fetcher, dir)?,
            }
        } else {
            let validators = match previous {
                Some(p) if same_source => Validators {
                    etag: p.etag.clone(),
                    last_modified: p.last_modified.clone(),
                },
                _ => Validators::default(),
            };
            let mut download = tempfile::tempfile_in(dir).map_err(FetchError::Io)?;
            match fetcher.fetch(source, &validators, &mut download)? {
                FetchOutcome::NotModified if previous.is_some() => return unchanged(builder),
                FetchOutcome::NotModified => {
                    return Err(FeedError::Read(
                        "the server answered 304 Not Modified to an unconditional request".into(),
                    ))
                }
                FetchOutcome::Downloaded {
                    etag,
                    last_modified,
                } => {
                    meta.etag = etag;
                    meta.last_modified = last_modified;
                }
            }
            download.rewind().map_err(FetchError::Io)?;
            meta.sha256 = Some(sha256_file(&mut download)?);
            download.rewind().map_err(FetchError::Io)?;
            ingest_file(builder, spec, download, &mut meta)?
        }
    } else {
        let path = Path::new(source.strip_prefix("file://").unwrap_or(source));
        if path.is_dir() {
            ingest_dir(builder, spec, path, &mut meta)?
        } else {
            let mut file = File::open(path)
                .map_err(|e| FeedError::Read(format!("{}: {e}", path.display())))?;
            let sha = sha256_file(&mut file)?;
            if same_source && previous.and_then(|p| p.sha256.as_deref()) == Some(sha.as_str()) {
                return unchanged(builder);
            }
            meta.sha256 = Some(sha);
            file.rewind().map_err(FetchError::Io)?;
            ingest_file(builder, spec, file, &mut meta)?
        }
    };
    builder.finish_feed(&spec.name, &meta, counts.0, counts.1)?;
    tracing::info!("{}: {} records, {} skipped", spec.name, counts.0, counts.1);
    Ok(FeedOutcome {
        name: spec.name.clone(),
        source: source.to_string(),
        result: "updated".into(),
        records: counts.0,
        skipped: counts.1,
        error: None,
    })
}

/// NVD answers "modified since" queries for windows of at most 120 days: when the previous
/// NVD update is younger than that, the update asks only for CVEs modified since then.
fn nvd_window_start(previous: &crate::store::FeedStatus) -> Option<String> {
    let updated = humantime::parse_rfc3339(&previous.updated_at).ok()?;
    let age = std::time::SystemTime::now().duration_since(updated).ok()?;
    (age < std::time::Duration::from_secs(119 * 24 * 3600)).then(|| previous.updated_at.clone())
}

fn sha256_file(file: &mut File) -> Result<String, FetchError> {
    Ok(crate::store::sha256_hex(file)?)
}

/// Decompressed documents larger than this are refused (the largest real feed, the Debian
/// tracker export, is about 70 MB; NVD yearly files about 100 MB).
const MAX_DOCUMENT_BYTES: u64 = 1024 * 1024 * 1024;

/// Reads a whole document, gunzipping it when it starts with the gzip magic; at most
/// [`MAX_DOCUMENT_BYTES`].
fn read_document(mut file: impl Read) -> Result<Vec<u8>, FeedError> {
    let mut head = [0u8; 2];
    let n = read_fully(&mut file, &mut head)?;
    let chained = std::io::Cursor::new(head[..n].to_vec()).chain(file);
    let mut reader: Box<dyn Read> = if n == 2 && head == [0x1f, 0x8b] {
        Box::new(flate2::read::MultiGzDecoder::new(chained))
    } else {
        Box::new(chained)
    };
    let mut bytes = Vec::new();
    (&mut reader)
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FeedError::Read(e.to_string()))?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(FeedError::Read(format!(
            "document larger than {MAX_DOCUMENT_BYTES} bytes"
        )));
    }
    Ok(bytes)
}

fn read_fully(reader: &mut impl Read, buf: &mut [u8]) -> Result<usize, FeedError> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FeedError::Read(e.to_string())),
        }
    }
    Ok(filled)
}

/// Ingests one file of `spec`'s kind; returns (records stored, records skipped).
fn ingest_file(
    builder: &mut StoreBuilder,
    spec: &FeedSpec,
    file: File,
    meta: &mut FeedMeta,
) -> Result<(u64, u64), FeedError> {
    let name = spec.name.as_str();
    match spec.kind {
        FeedKind::OsvZip => {
            let mut stored = 0;
            let mut error = None;
            let skipped = feed::osv_zip::read_each(BufReader::new(file), |record| {
                if error.is_some() {
                    return;
                }
                match builder.add_record(name, &record) {
                    Ok(true) => stored += 1,
                    Ok(false) => {}
                    Err(e) => error = Some(e),
                }
            })
            .map_err(|e| FeedError::Read(e.to_string()))?;
            if let Some(e) = error {
                return Err(e.into());
            }
            for (entry, why) in skipped.iter().take(20) {
                tracing::warn!("{name}: skipped {entry}: {why}");
            }
            Ok((stored, skipped.len() as u64))
        }
        FeedKind::Nvd => {
            let page = feed::nvd::read_nvd(&read_document(file)?)
                .map_err(|e| FeedError::Read(e.to_string()))?;
            for cve in &page.cves {
                builder.add_nvd(name, cve)?;
            }
            Ok((page.cves.len() as u64, page.skipped as u64))
        }
        FeedKind::Kev => {
            let catalog = feed::kev::read_kev(&read_document(file)?)
                .map_err(|e| FeedError::Read(e.to_string()))?;
            for (cve, info) in &catalog.entries {
                builder.add_kev(name, cve, info)?;
            }
            meta.info = Some(serde_json::json!({
                "catalog_version": catalog.version,
                "date_released": catalog.released,
            }));
            Ok((catalog.entries.len() as u64, catalog.skipped as u64))
        }
        FeedKind::Epss => {
            let bytes = read_document(file)?;
            let load = feed::epss::read_epss(bytes.as_slice())
                .map_err(|e| FeedError::Read(e.to_string()))?;
            for score in &load.scores {
                builder.add_epss(name, score)?;
            }
            meta.info = Some(serde_json::json!({
                "model_version": load.model_version,
                "score_date": load.score_date,
            }));
            Ok((load.scores.len() as u64, load.skipped as u64))
        }
        FeedKind::DebianTracker => {
            let load = feed::debian_tracker::read_tracker(&read_document(file)?)
                .map_err(|e| FeedError::Read(e.to_string()))?;
            let mut stored = 0;
            for record in &load.records {
                stored += u64::from(builder.add_record(name, record)?);
            }
            Ok((stored, load.skipped as u64))
        }
        FeedKind::AlpineSecdb => {
            let load = feed::alpine_secdb::read_secdb(&read_document(file)?)
                .map_err(|e| FeedError::Read(e.to_string()))?;
            let mut stored = 0;
            for record in &load.records {
                stored += u64::from(builder.add_record(name, record)?);
            }
            Ok((stored, load.skipped as u64))
        }
    }
}

/// A directory source: every file in it (recursively, sorted) is one document of the feed's
/// kind; OSV directories hold one JSON record per file. Bad files are counted and skipped.
fn ingest_dir(
    builder: &mut StoreBuilder,
    spec: &FeedSpec,
    dir: &Path,
    meta: &mut FeedMeta,
) -> Result<(u64, u64), FeedError> {
    let mut files: Vec<PathBuf> = walk(dir)?;
    files.sort();
    let (mut stored, mut skipped) = (0, 0);
    for path in files {
        let file = File::open(&path).map_err(|e| FeedError::Read(e.to_string()))?;
        if spec.kind == FeedKind::OsvZip {
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let record = read_document(file).and_then(|bytes| {
                serde_json::from_slice::<crate::osv::Record>(&bytes)
                    .map_err(|e| FeedError::Read(e.to_string()))
            });
            match record {
                Ok(record) => stored += u64::from(builder.add_record(&spec.name, &record)?),
                Err(e) => {
                    tracing::warn!("{}: skipping {}: {e}", spec.name, path.display());
                    skipped += 1;
                }
            }
            continue;
        }
        match ingest_file(builder, spec, file, meta) {
            Ok((s, k)) => {
                stored += s;
                skipped += k;
            }
            Err(FeedError::Store(e)) => return Err(e.into()),
            Err(e) => {
                tracing::warn!("{}: skipping {}: {e}", spec.name, path.display());
                skipped += 1;
            }
        }
    }
    Ok((stored, skipped))
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>, FeedError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| FeedError::Read(e.to_string()))?;
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                out.push(entry.path());
            }
        }
    }
    Ok(out)
}

/// NVD's API is paged (at most 2,000 CVEs a page): fetch pages until `totalResults`.
fn ingest_nvd_api(
    builder: &mut StoreBuilder,
    name: &str,
    base: &str,
    fetcher: &dyn Fetcher,
    dir: &Path,
) -> Result<(u64, u64), FeedError> {
    const PAGE: u64 = 2000;
    let separator = if base.contains('?') { '&' } else { '?' };
    let (mut stored, mut skipped, mut start) = (0u64, 0u64, 0u64);
    loop {
        let url = format!("{base}{separator}startIndex={start}&resultsPerPage={PAGE}");
        let mut download = tempfile::tempfile_in(dir).map_err(FetchError::Io)?;
        fetcher.fetch(&url, &Validators::default(), &mut download)?;
        download.rewind().map_err(FetchError::Io)?;
        let page = feed::nvd::read_nvd(&read_document(download)?)
            .map_err(|e| FeedError::Read(e.to_string()))?;
        for cve in &page.cves {
            builder.add_nvd(name, cve)?;
        }
        stored += page.cves.len() as u64;
        skipped += page.skipped as u64;
        let returned = page.entries as u64;
        let total = page.total_results.unwrap_or(0);
        start += returned;
        if returned == 0 || start >= total {
            break;
        }
    }
    Ok((stored, skipped))
}
