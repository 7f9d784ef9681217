//! One layer: where its blob lives, and the streaming walk over its tar.
//!
//! A walk reads the blob once, front to back: it verifies the blob digest and the diff id
//! while streaming, normalises every path (rejecting `..` and absolute paths), records
//! whiteouts, opaque directories, symlinks and hard links, and hands only the regular files a
//! visitor asks for to that visitor, size-capped. Nothing is written to disk.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::background_hash::BackgroundHashed;
use crate::ImageError;

/// Where a layer's blob (compressed or not) can be read from.
#[derive(Debug, Clone)]
pub enum BlobLocation {
    /// A whole file (OCI layout blob, cached registry blob).
    File(PathBuf),
    /// A byte range inside a file (a layer inside a docker-archive tar).
    Range {
        path: PathBuf,
        offset: u64,
        len: u64,
    },
}

impl BlobLocation {
    fn open(&self) -> Result<Box<dyn Read + Send>, ImageError> {
        match self {
            Self::File(path) => {
                let f = File::open(path).map_err(|e| ImageError::io(path, e))?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
            }
            Self::Range { path, offset, len } => {
                let mut f = File::open(path).map_err(|e| ImageError::io(path, e))?;
                f.seek(SeekFrom::Start(*offset))
                    .map_err(|e| ImageError::io(path, e))?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, f.take(*len))))
            }
        }
    }

    pub fn size(&self) -> Result<u64, ImageError> {
        match self {
            Self::File(path) => std::fs::metadata(path)
                .map(|m| m.len())
                .map_err(|e| ImageError::io(path, e)),
            Self::Range { len, .. } => Ok(*len),
        }
    }
}

/// A layer of an image, bottom to top order is the order of `Image::layers`.
#[derive(Debug, Clone)]
pub struct Layer {
    /// `sha256:` of the uncompressed tar (from the config's `rootfs.diff_ids`).
    pub diff_id: String,
    /// `sha256:` of the blob as stored, when the source names it.
    pub digest: Option<String>,
    pub blob: BlobLocation,
    pub created_by: Option<String>,
}

/// A regular file in a layer, as offered to a visitor.
#[derive(Debug, Clone, Copy)]
pub struct FileEntry<'a> {
    /// Normalised path: relative, no leading `/` or `./`, no `..`.
    pub path: &'a str,
    pub size: u64,
    pub mode: u32,
}

/// Decides which files to read and receives their contents.
pub trait LayerVisitor {
    /// Called for every regular file (and hard link, with its target's size and mode).
    /// Return true to have its content delivered to [`LayerVisitor::file`].
    fn wants(&mut self, file: &FileEntry<'_>) -> bool;
    /// Receives a wanted file's full content.
    fn file(&mut self, file: &FileEntry<'_>, content: &[u8]);
    /// A wanted hard link to `target`, a file of the same layer offered earlier. Return true
    /// when the visitor can derive the link's results from what it got for `target`; otherwise
    /// the walker reads the layer a second time to deliver the content under the link's name.
    fn hardlink(&mut self, _link: &FileEntry<'_>, _target: &str) -> bool {
        false
    }
}

/// What a layer changes besides file contents: the input of the layered view.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LayerChanges {
    /// Paths removed from lower layers (`.wh.NAME`).
    pub whiteouts: Vec<String>,
    /// Directories whose lower-layer content is hidden (`.wh..wh..opq`).
    pub opaque_dirs: Vec<String>,
    /// Symbolic links: path -> target as written.
    pub symlinks: BTreeMap<String, String>,
    /// Number of entries and bytes seen, for the progress display and the note.
    pub entries: u64,
    pub uncompressed_bytes: u64,
}

/// Limits applied while walking untrusted layers.
#[derive(Debug, Clone, Copy)]
pub struct WalkLimits {
    /// A layer may decompress to at most this many times its stored size...
    pub max_ratio: u64,
    /// ...but always to at least this many bytes.
    pub min_uncompressed: u64,
}

impl Default for WalkLimits {
    fn default() -> Self {
        Self {
            max_ratio: 200,
            min_uncompressed: 1 << 30,
        }
    }
}

/// Normalises a tar path; `Ok(None)` for the root entry itself.
pub fn normalize_path(raw: &str, layer: &str) -> Result<Option<String>, ImageError> {
    let escape = || ImageError::PathEscape {
        layer: layer.to_string(),
        path: raw.to_string(),
    };
    if raw.starts_with('/') {
        return Err(escape());
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(escape()),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        Ok(None)
    } else {
        Ok(Some(parts.join("/")))
    }
}

const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_MARKER: &str = ".wh..wh..opq";

struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
    limit: Option<u64>,
}

impl<R: Read> Hashing<R> {
    fn new(inner: R, limit: Option<u64>) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            count: 0,
            limit,
        }
    }

    fn finish(self) -> (String, u64) {
        (
            format!("sha256:{}", hex::encode(self.hasher.finalize())),
            self.count,
        )
    }
}

const BOMB_MESSAGE: &str = "palisade: decompression limit exceeded";

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        if let Some(limit) = self.limit {
            if self.count > limit {
                return Err(io::Error::other(BOMB_MESSAGE));
            }
        }
        Ok(n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    fn detect(head: &[u8]) -> Self {
        if head.starts_with(&[0x1f, 0x8b]) {
            Self::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Self::Zstd
        } else {
            Self::None
        }
    }
}

/// Wraps `reader` in the decompressor `kind` calls for.
fn decoder<'a, R: io::BufRead + 'a>(
    kind: Compression,
    reader: R,
    layer: &str,
) -> Result<Box<dyn Read + 'a>, ImageError> {
    match kind {
        Compression::None => Ok(Box::new(reader)),
        Compression::Gzip => Ok(Box::new(flate2::bufread::MultiGzDecoder::new(reader))),
        Compression::Zstd => ruzstd::streaming_decoder::StreamingDecoder::new(reader)
            .map(|d| Box::new(d) as Box<dyn Read + 'a>)
            .map_err(|e| ImageError::Format(format!("layer {layer}: invalid zstd stream: {e}"))),
    }
}

/// Peeks the first bytes of `reader` and wraps it in the matching decompressor.
fn decompress<'a>(
    mut reader: io::BufReader<Box<dyn Read + Send + 'a>>,
    layer: &str,
) -> Result<Box<dyn Read + 'a>, ImageError> {
    use io::BufRead;
    let head = reader.fill_buf().map_err(|e| ImageError::Read {
        context: format!("layer {layer}"),
        source: e,
    })?;
    decoder(Compression::detect(head), reader, layer)
}

impl Layer {
    /// Streams the layer once, offering every regular file to `visitor`, and returns the
    /// layer's whiteouts, opaque directories and symlinks. Verifies digest and diff id.
    pub fn walk(
        &self,
        visitor: &mut dyn LayerVisitor,
        limits: WalkLimits,
    ) -> Result<LayerChanges, ImageError> {
        use io::BufRead;
        let stored = self.blob.size()?;
        let limit = stored
            .saturating_mul(limits.max_ratio)
            .max(limits.min_uncompressed);
        let mut raw = io::BufReader::with_capacity(1 << 16, self.blob.open()?);
        let head = raw.fill_buf().map_err(|e| self.read_error(e, limit))?;
        let compression = Compression::detect(head);
        let raw: Box<dyn Read + Send> = Box::new(raw);
        let mut hashed = BackgroundHashed::spawn(raw);
        let (changes, hardlinks, digest, diff_id, uncompressed_bytes) = match compression {
            Compression::None => {
                // An uncompressed blob's digest is its diff id: hash it once, and never more
                // than the blob's own size, so no decompression limit applies.
                let (changes, hardlinks) = self.read_entries(&mut hashed, visitor, None)?;
                let (digest, count) = hashed.finish().map_err(|e| self.read_error(e, limit))?;
                (changes, hardlinks, digest.clone(), digest, count)
            }
            Compression::Gzip | Compression::Zstd => {
                let (changes, hardlinks, diff_id, count) = {
                    let buffered = io::BufReader::with_capacity(1 << 16, &mut hashed);
                    let decoder = decoder(compression, buffered, &self.diff_id)?;
                    let mut hashing = Hashing::new(decoder, Some(limit));
                    let (changes, hardlinks) = self.read_entries(&mut hashing, visitor, None)?;
                    // Drain what follows the end-of-archive marker so both digests cover every byte.
                    io::copy(&mut hashing, &mut io::sink())
                        .map_err(|e| self.read_error(e, limit))?;
                    let (diff_id, count) = hashing.finish();
                    (changes, hardlinks, diff_id, count)
                };
                let (digest, _) = hashed.finish().map_err(|e| self.read_error(e, limit))?;
                (changes, hardlinks, digest, diff_id, count)
            }
        };
        if let Some(expected) = &self.digest {
            if expected != &digest {
                return Err(ImageError::DigestMismatch {
                    what: format!("layer blob {expected}"),
                    expected: expected.clone(),
                    actual: digest,
                });
            }
        }
        if !self.diff_id.is_empty() && self.diff_id != diff_id {
            return Err(ImageError::DigestMismatch {
                what: "layer diff id".into(),
                expected: self.diff_id.clone(),
                actual: diff_id,
            });
        }
        let mut changes = changes;
        changes.uncompressed_bytes = uncompressed_bytes;
        if !hardlinks.is_empty() {
            self.resolve_hardlinks(visitor, hardlinks, limit)?;
        }
        Ok(changes)
    }

    fn read_error(&self, e: io::Error, limit: u64) -> ImageError {
        if e.to_string() == BOMB_MESSAGE {
            ImageError::DecompressionBomb {
                layer: self.diff_id.clone(),
                limit,
            }
        } else {
            ImageError::Read {
                context: format!("layer {}", self.diff_id),
                source: e,
            }
        }
    }

    /// Reads the tar entries. With `only`, delivers just those paths (the hard-link pass).
    fn read_entries(
        &self,
        reader: &mut dyn Read,
        visitor: &mut dyn LayerVisitor,
        only: Option<&HashMap<String, Vec<String>>>,
    ) -> Result<(LayerChanges, Vec<(String, String)>), ImageError> {
        let limit = u64::MAX;
        let mut archive = tar::Archive::new(reader);
        let mut changes = LayerChanges::default();
        let mut file_meta: HashMap<String, (u64, u32)> = HashMap::new();
        let mut hardlinks = Vec::new();
        let entries = archive.entries().map_err(|e| self.read_error(e, limit))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| self.read_error(e, limit))?;
            changes.entries += 1;
            let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(path) = normalize_path(&raw_path, &self.diff_id)? else {
                continue;
            };
            let header = entry.header();
            let kind = header.entry_type();
            let mode = header.mode().unwrap_or(0o644);
            let size = entry.size();
            if let Some(targets) = only {
                if let Some(links) = targets.get(&path) {
                    if kind.is_file() || kind == tar::EntryType::Continuous {
                        let content = read_content(&mut entry, size)
                            .map_err(|e| self.read_error(e, limit))?;
                        for link in links {
                            let file = FileEntry {
                                path: link,
                                size,
                                mode,
                            };
                            visitor.file(&file, &content);
                        }
                    }
                }
                continue;
            }
            let (parent, name) = match path.rsplit_once('/') {
                Some((p, n)) => (p, n),
                None => ("", path.as_str()),
            };
            if name == OPAQUE_MARKER {
                changes.opaque_dirs.push(parent.to_string());
                continue;
            }
            if let Some(hidden) = name.strip_prefix(WHITEOUT_PREFIX) {
                let hidden_path = if parent.is_empty() {
                    hidden.to_string()
                } else {
                    format!("{parent}/{hidden}")
                };
                changes.whiteouts.push(hidden_path);
                continue;
            }
            match kind {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    file_meta.insert(path.clone(), (size, mode));
                    let file = FileEntry {
                        path: &path,
                        size,
                        mode,
                    };
                    if visitor.wants(&file) {
                        let content = read_content(&mut entry, size)
                            .map_err(|e| self.read_error(e, limit))?;
                        visitor.file(&file, &content);
                    }
                }
                tar::EntryType::Symlink => {
                    let target = entry
                        .link_name_bytes()
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default();
                    changes.symlinks.insert(path, target);
                }
                tar::EntryType::Link => {
                    let target = entry
                        .link_name_bytes()
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default();
                    if let Some(target) = normalize_path(&target, &self.diff_id)? {
                        hardlinks.push((path, target));
                    }
                }
                _ => {}
            }
        }
        // Offer hard links with their target's size and mode; keep the ones wanted.
        let mut wanted = Vec::new();
        for (link, target) in hardlinks {
            if let Some(&(size, mode)) = file_meta.get(&target) {
                let file = FileEntry {
                    path: &link,
                    size,
                    mode,
                };
                if visitor.wants(&file) && !visitor.hardlink(&file, &target) {
                    wanted.push((link, target));
                }
            }
        }
        Ok((changes, wanted))
    }

    /// Second pass for hard links whose content lives under another name in this layer.
    fn resolve_hardlinks(
        &self,
        visitor: &mut dyn LayerVisitor,
        links: Vec<(String, String)>,
        limit: u64,
    ) -> Result<(), ImageError> {
        let mut by_target: HashMap<String, Vec<String>> = HashMap::new();
        let mut seen = HashSet::new();
        for (link, target) in links {
            if seen.insert(link.clone()) {
                by_target.entry(target).or_default().push(link);
            }
        }
        let decompressed = decompress(
            io::BufReader::with_capacity(1 << 16, self.blob.open()?),
            &self.diff_id,
        )?;
        let mut limited = Hashing::new(decompressed, Some(limit));
        self.read_entries(&mut limited, visitor, Some(&by_target))?;
        Ok(())
    }
}

fn read_content(entry: &mut dyn Read, size: u64) -> io::Result<Vec<u8>> {
    // `size` comes from the tar header; the visitor has already accepted it against its cap.
    let mut content = Vec::with_capacity(size.min(1 << 24) as usize);
    entry.take(size).read_to_end(&mut content)?;
    if (content.len() as u64) < size {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "file content truncated",
        ));
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_rejects_escapes() {
        assert_eq!(
            normalize_path("./etc/passwd", "l").unwrap().unwrap(),
            "etc/passwd"
        );
        assert_eq!(
            normalize_path("usr//lib/", "l").unwrap().unwrap(),
            "usr/lib"
        );
        assert_eq!(normalize_path("./", "l").unwrap(), None);
        assert!(normalize_path("../etc/passwd", "l").is_err());
        assert!(normalize_path("a/../../b", "l").is_err());
        assert!(normalize_path("/etc/passwd", "l").is_err());
    }
}
