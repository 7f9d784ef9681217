//! Drives the catalogers over an image: one streaming walk per layer, results cached by layer
//! diff id plus the catalogers' fingerprint, then stacked with whiteouts to the final view.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use palisade_image::{
    FileEntry, Image, ImageContent, ImageError, Layer, LayerChanges, LayerVisitor, LayeredView,
    WalkLimits,
};
use palisade_model::{purl_for, Inventory, OsInfo, Package};
use serde::{Deserialize, Serialize};

use crate::registry::{catalogers_fingerprint, CATALOGERS};
use crate::{Cataloger, FileMeta, LicenseFact};

/// What the catalogers found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileResult {
    pub packages: Vec<Package>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub os: Option<OsInfo>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub licenses: Vec<LicenseFact>,
}

/// Everything one layer contributes; this is what the cache stores.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerResult {
    pub changes: LayerChanges,
    pub files: BTreeMap<String, FileResult>,
    /// Files a cataloger wanted but could not parse, and files over a size cap.
    pub problems: Vec<String>,
}

/// Reports progress of a scan (the CLI draws a progress bar from it).
/// Called from the worker threads that walk layers, hence `Sync`.
pub trait ScanProgress: Sync {
    fn layer_started(&self, _index: usize, _count: usize, _diff_id: &str, _bytes: u64) {}
    fn layer_finished(&self, _index: usize, _cached: bool) {}
}

struct NoProgress;
impl ScanProgress for NoProgress {}

#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Where per-layer results are cached; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    pub limits: WalkLimits,
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Image(#[from] ImageError),
}

/// Offers every file to the catalogers and collects what they find.
struct Collector {
    files: BTreeMap<String, FileResult>,
    problems: Vec<String>,
    layer: Option<String>,
    /// Every file of this layer whose content the catalogers saw, with or without results.
    read: std::collections::HashSet<String>,
}

impl Collector {
    fn new(layer: Option<String>) -> Self {
        Self {
            files: BTreeMap::new(),
            problems: Vec::new(),
            layer,
            read: std::collections::HashSet::new(),
        }
    }

    fn interested<'a>(file: &'a FileMeta<'a>) -> impl Iterator<Item = &'static dyn Cataloger> + 'a {
        CATALOGERS.iter().copied().filter(move |c| c.wants(file))
    }
}

impl LayerVisitor for Collector {
    fn wants(&mut self, file: &FileEntry<'_>) -> bool {
        let meta = FileMeta {
            path: file.path,
            size: file.size,
            mode: file.mode,
        };
        let mut wanted = false;
        for c in Self::interested(&meta) {
            if file.size <= c.max_size() {
                wanted = true;
            } else {
                let msg = format!(
                    "{}: {} skipped: {} bytes is over its {} byte cap",
                    c.id(),
                    file.path,
                    file.size,
                    c.max_size()
                );
                tracing::warn!("{msg}");
                self.problems.push(msg);
            }
        }
        wanted
    }

    fn hardlink(&mut self, link: &FileEntry<'_>, target: &str) -> bool {
        if !self.read.contains(target) {
            return false;
        }
        // Same content as the target: the same packages, proven by the link's path too.
        if let Some(result) = self.files.get(target) {
            let mut result = result.clone();
            for p in &mut result.packages {
                for l in &mut p.locations {
                    if let Some(rest) = l.path.strip_prefix(target) {
                        l.path = format!("{}{rest}", link.path);
                    }
                }
            }
            self.files.insert(link.path.to_string(), result);
        }
        true
    }

    fn file(&mut self, file: &FileEntry<'_>, content: &[u8]) {
        self.read.insert(file.path.to_string());
        let meta = FileMeta {
            path: file.path,
            size: file.size,
            mode: file.mode,
        };
        let mut result = FileResult::default();
        for c in Self::interested(&meta) {
            if file.size > c.max_size() {
                continue;
            }
            match c.catalog(file.path, content) {
                Ok(found) => {
                    result.packages.extend(found.packages);
                    result.licenses.extend(found.licenses);
                    if found.os.is_some() {
                        result.os = found.os;
                    }
                }
                Err(e) => {
                    tracing::warn!("{e}");
                    self.problems.push(e.to_string());
                }
            }
        }
        for p in &mut result.packages {
            for l in &mut p.locations {
                l.layer.clone_from(&self.layer);
            }
        }
        if !result.packages.is_empty() || result.os.is_some() || !result.licenses.is_empty() {
            self.files.insert(file.path.to_string(), result);
        }
    }
}

/// Catalogs `image`: every layer once (or from the cache), stacked into one inventory.
pub fn scan(
    image: &Image,
    source: &str,
    options: &ScanOptions,
    progress: Option<&dyn ScanProgress>,
) -> Result<Inventory, ScanError> {
    let progress = progress.unwrap_or(&NoProgress);
    let mut results = Vec::new();
    match &image.content {
        ImageContent::Directory(root) => {
            progress.layer_started(0, 1, "", 0);
            let mut collector = Collector::new(None);
            let changes = palisade_image::walk_directory(root, &mut collector)?;
            results.push(LayerResult {
                changes,
                files: collector.files,
                problems: collector.problems,
            });
            progress.layer_finished(0, false);
        }
        ImageContent::Layers(layers) => results = scan_layers(layers, options, progress)?,
    }
    Ok(assemble(image, source, &results))
}

/// Bumped whenever `LayerResult` or the way the scan fills it changes, so that cache entries
/// written by an older Palisade are not read as if they were complete.
const LAYER_RESULT_FORMAT: u32 = 1;

/// Walks the layers on as many threads as there are cores (each walk also hashes on a
/// thread of its own), and returns their results in layer order.
fn scan_layers(
    layers: &[Layer],
    options: &ScanOptions,
    progress: &dyn ScanProgress,
) -> Result<Vec<LayerResult>, ScanError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(layers.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Result<LayerResult, ScanError>>>> =
        Mutex::new((0..layers.len()).map(|_| None).collect());
    let failed = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(layer) = layers.get(i) else { break };
                if failed.load(Ordering::Relaxed) {
                    break;
                }
                let size = layer.blob.size().unwrap_or(0);
                progress.layer_started(i, layers.len(), &layer.diff_id, size);
                let outcome = scan_layer(layer, options).map(|(result, cached)| {
                    progress.layer_finished(i, cached);
                    result
                });
                if outcome.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                if let Ok(mut slots) = slots.lock() {
                    slots[i] = Some(outcome);
                }
            });
        }
    });
    let slots = slots.into_inner().unwrap_or_default();
    let mut results = Vec::with_capacity(layers.len());
    // Layers are left unwalked only once another failed, and that failure is returned.
    for outcome in slots.into_iter().flatten() {
        results.push(outcome?);
    }
    Ok(results)
}

fn cache_path(dir: &Path, diff_id: &str) -> PathBuf {
    let hex = diff_id.strip_prefix("sha256:").unwrap_or(diff_id);
    dir.join("layers").join(format!(
        "{hex}-{}-v{LAYER_RESULT_FORMAT}.json",
        catalogers_fingerprint()
    ))
}

fn scan_layer(layer: &Layer, options: &ScanOptions) -> Result<(LayerResult, bool), ScanError> {
    let cache = options
        .cache_dir
        .as_deref()
        .map(|d| cache_path(d, &layer.diff_id));
    if let Some(path) = &cache {
        if let Ok(bytes) = std::fs::read(path) {
            match serde_json::from_slice::<LayerResult>(&bytes) {
                Ok(result) => return Ok((result, true)),
                Err(e) => tracing::warn!("ignoring unreadable cache entry {}: {e}", path.display()),
            }
        }
    }
    let mut collector = Collector::new(Some(layer.diff_id.clone()));
    let changes = layer.walk(&mut collector, options.limits)?;
    let result = LayerResult {
        changes,
        files: collector.files,
        problems: collector.problems,
    };
    if let Some(path) = &cache {
        if let Err(e) = write_atomically(path, &result) {
            tracing::warn!("could not cache layer result at {}: {e}", path.display());
        }
    }
    Ok((result, false))
}

fn write_atomically(path: &Path, result: &LayerResult) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(&mut temp, result)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Stacks the layer results and turns the visible files into the inventory.
fn assemble(image: &Image, source: &str, results: &[LayerResult]) -> Inventory {
    let mut view: LayeredView<&FileResult> = LayeredView::default();
    for (i, r) in results.iter().enumerate() {
        view.apply(
            i,
            &r.changes,
            r.files.iter().map(|(k, v)| (k.clone(), v)).collect(),
        );
    }
    let os = view
        .files()
        .filter_map(|(path, _, r)| r.os.as_ref().map(|os| (path, os)))
        .min_by_key(|(path, _)| crate::os::os_release::precedence(path))
        .map(|(_, os)| os.clone());
    let diff_ids: Vec<Option<String>> = match &image.content {
        ImageContent::Layers(layers) => layers.iter().map(|l| Some(l.diff_id.clone())).collect(),
        ImageContent::Directory(_) => vec![None],
    };
    let mut license_facts: std::collections::HashMap<(palisade_model::Ecosystem, &str), &[String]> =
        std::collections::HashMap::new();
    for (_, _, result) in view.files() {
        for fact in &result.licenses {
            license_facts.insert((fact.ecosystem, fact.name.as_str()), &fact.licenses);
        }
    }
    let mut packages = Vec::new();
    for (path, index, result) in view.files() {
        for pkg in &result.packages {
            let mut pkg = pkg.clone();
            let mut first = index;
            for lower in (0..index).rev() {
                match results[lower].files.get(path) {
                    Some(r) if r.packages.iter().any(|p| p.identity() == pkg.identity()) => {
                        first = lower;
                    }
                    Some(_) => break,
                    None => {}
                }
            }
            pkg.introduced_by = diff_ids.get(first).cloned().flatten();
            if pkg.licenses.is_empty() {
                if let Some(licenses) = license_facts.get(&(pkg.ecosystem, pkg.name.as_str())) {
                    pkg.licenses = licenses.to_vec();
                }
            }
            pkg.purl = purl_for(&pkg, os.as_ref());
            packages.push(pkg);
        }
    }
    let packages = merge_duplicates(packages, &diff_ids);
    Inventory {
        source: source.to_string(),
        artifact: image.artifact.clone(),
        os,
        packages,
    }
}

/// One package per identity: the same package proven by several files (a lock file and the
/// installed `package.json`, say) becomes one package with all its locations, introduced by
/// the lowest layer among them.
fn merge_duplicates(mut packages: Vec<Package>, diff_ids: &[Option<String>]) -> Vec<Package> {
    packages.sort_by(|a, b| {
        (a.identity(), &a.purl, &a.locations).cmp(&(b.identity(), &b.purl, &b.locations))
    });
    let rank = |layer: &Option<String>| diff_ids.iter().position(|d| d == layer);
    let mut merged: Vec<Package> = Vec::with_capacity(packages.len());
    for pkg in packages {
        match merged.last_mut() {
            Some(last) if last.identity() == pkg.identity() && last.purl == pkg.purl => {
                for location in pkg.locations {
                    if !last.locations.contains(&location) {
                        last.locations.push(location);
                    }
                }
                for license in pkg.licenses {
                    if !last.licenses.contains(&license) {
                        last.licenses.push(license);
                    }
                }
                if rank(&pkg.introduced_by) < rank(&last.introduced_by) {
                    last.introduced_by = pkg.introduced_by;
                }
                if last.source_name.is_none() {
                    last.source_name = pkg.source_name;
                    last.source_version = pkg.source_version;
                }
            }
            _ => merged.push(pkg),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    const METADATA: &[u8] =
        include_bytes!("../fixtures/python/site-packages/urllib3-1.23.dist-info/METADATA");

    fn entry(path: &str) -> FileEntry<'_> {
        FileEntry {
            path,
            size: METADATA.len() as u64,
            mode: 0o644,
        }
    }

    #[test]
    fn a_hard_link_to_a_cataloged_file_gets_its_packages_under_its_own_path() {
        let mut collector = Collector::new(Some("sha256:layer".into()));
        let target = "usr/lib/python3/dist-packages/urllib3-1.23.dist-info/METADATA";
        let link = "opt/copy/urllib3-1.23.dist-info/METADATA";
        assert!(collector.wants(&entry(target)));
        collector.file(&entry(target), METADATA);
        assert!(collector.hardlink(&entry(link), target));
        let linked = &collector.files[link].packages[0];
        assert_eq!(linked.name, "urllib3");
        assert_eq!(linked.locations[0].path, link);
        assert_eq!(linked.locations[0].layer.as_deref(), Some("sha256:layer"));
        // A target the catalogers never saw needs the walker's second pass.
        assert!(!collector.hardlink(&entry("a/b.dist-info/METADATA"), "never/read"));
    }
}
