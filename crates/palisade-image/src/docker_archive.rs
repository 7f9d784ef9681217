//! `docker-archive:FILE`: the tar written by `docker save` (gzip-compressed or not), in both
//! the classic layout (`<id>/layer.tar`) and the OCI-style one of Docker 25+ (`blobs/sha256/`).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::layer::{normalize_path, BlobLocation, Layer};
use crate::manifest::{self, ImageConfig};
use crate::{Image, ImageError};

#[derive(Debug, Deserialize)]
struct SaveManifest {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

/// Opens the archive. A gzip-compressed archive is first decompressed to a temporary file,
/// because its layers must be read in manifest order, which is not the order in the tar.
pub fn open(path: &Path) -> Result<Image, ImageError> {
    let mut head = [0u8; 2];
    let mut f = File::open(path).map_err(|e| ImageError::io(path, e))?;
    let n = f.read(&mut head).map_err(|e| ImageError::io(path, e))?;
    let (tar_path, temp) = if n == 2 && head == [0x1f, 0x8b] {
        let mut temp = tempfile::Builder::new()
            .prefix("palisade-archive-")
            .tempfile()
            .map_err(|e| ImageError::io(std::env::temp_dir(), e))?;
        f.seek(SeekFrom::Start(0))
            .map_err(|e| ImageError::io(path, e))?;
        let mut decoder = flate2::read::MultiGzDecoder::new(BufReader::new(f));
        std::io::copy(&mut decoder, temp.as_file_mut()).map_err(|e| ImageError::Read {
            context: format!("decompressing {}", path.display()),
            source: e,
        })?;
        let temp_path = temp.into_temp_path();
        (temp_path.to_path_buf(), Some(Arc::new(temp_path)))
    } else {
        (path.to_path_buf(), None)
    };
    let mut image = open_tar(&tar_path, path)?;
    image._temp = temp;
    Ok(image)
}

fn open_tar(tar_path: &Path, shown: &Path) -> Result<Image, ImageError> {
    let entries = index_entries(tar_path, shown)?;
    let read_entry = |name: &str| -> Result<Vec<u8>, ImageError> {
        let &(offset, len) = entries.get(name).ok_or_else(|| {
            ImageError::Format(format!("{}: archive has no {name}", shown.display()))
        })?;
        if len > manifest::MAX_JSON_BYTES {
            return Err(ImageError::Format(format!(
                "{}: {name} is larger than {} bytes",
                shown.display(),
                manifest::MAX_JSON_BYTES
            )));
        }
        let mut f = File::open(tar_path).map_err(|e| ImageError::io(tar_path, e))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| ImageError::io(tar_path, e))?;
        let mut buf = Vec::with_capacity(len as usize);
        f.take(len)
            .read_to_end(&mut buf)
            .map_err(|e| ImageError::io(tar_path, e))?;
        Ok(buf)
    };
    let manifests: Vec<SaveManifest> =
        manifest::parse("manifest.json", &read_entry("manifest.json")?)?;
    let [save] = manifests.as_slice() else {
        return Err(ImageError::Format(format!(
            "{}: manifest.json holds {} images; palisade reads archives of one image",
            shown.display(),
            manifests.len()
        )));
    };
    let config_name = normalized(&save.config)?;
    let config_bytes = read_entry(&config_name)?;
    let config_digest = manifest::sha256_digest(&config_bytes);
    if let Some(hex) = config_name.strip_prefix("blobs/sha256/") {
        manifest::verify("image config", &format!("sha256:{hex}"), &config_bytes)?;
    } else if let Some(hex) = config_name.strip_suffix(".json") {
        if hex.len() == 64 {
            manifest::verify("image config", &format!("sha256:{hex}"), &config_bytes)?;
        }
    }
    let config: ImageConfig = manifest::parse("image config", &config_bytes)?;
    if save.layers.len() != config.rootfs.diff_ids.len() {
        return Err(ImageError::Format(format!(
            "{}: manifest.json lists {} layers but the config has {} diff ids",
            shown.display(),
            save.layers.len(),
            config.rootfs.diff_ids.len()
        )));
    }
    let history = config.layer_history();
    let mut layers = Vec::with_capacity(save.layers.len());
    for (i, (name, diff_id)) in save.layers.iter().zip(&config.rootfs.diff_ids).enumerate() {
        manifest::check_digest(diff_id)?;
        let name = normalized(name)?;
        let &(offset, len) = entries.get(&name).ok_or_else(|| {
            ImageError::Format(format!("{}: archive has no layer {name}", shown.display()))
        })?;
        let digest = name
            .strip_prefix("blobs/sha256/")
            .map(|hex| format!("sha256:{hex}"));
        layers.push(Layer {
            diff_id: diff_id.clone(),
            digest,
            blob: BlobLocation::Range {
                path: tar_path.to_path_buf(),
                offset,
                len,
            },
            created_by: history.get(i).cloned().flatten(),
        });
    }
    let repo_tags = save.repo_tags.clone().unwrap_or_default();
    let name = repo_tags
        .first()
        .cloned()
        .unwrap_or_else(|| shown.display().to_string());
    let mut image = Image::layered(name, config_digest, &config, layers);
    image.artifact.repo_tags = repo_tags;
    Ok(image)
}

fn normalized(name: &str) -> Result<String, ImageError> {
    normalize_path(name, "docker-archive")?
        .ok_or_else(|| ImageError::Format(format!("invalid entry name {name:?}")))
}

/// Lists the archive's regular files with the offset and length of their data.
fn index_entries(tar_path: &Path, shown: &Path) -> Result<HashMap<String, (u64, u64)>, ImageError> {
    let f = File::open(tar_path).map_err(|e| ImageError::io(tar_path, e))?;
    let mut archive = tar::Archive::new(BufReader::new(f));
    let mut entries = HashMap::new();
    let err = |e: std::io::Error| ImageError::Read {
        context: format!("{}: not a readable docker-archive tar", shown.display()),
        source: e,
    };
    for entry in archive.entries_with_seek().map_err(err)? {
        let entry = entry.map_err(err)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if let Ok(Some(name)) = normalize_path(&raw, "docker-archive") {
            entries.insert(name, (entry.raw_file_position(), entry.size()));
        }
    }
    if entries.is_empty() {
        return Err(ImageError::Format(format!(
            "{}: empty or not a tar archive",
            shown.display()
        )));
    }
    Ok(entries)
}
