//! `oci:DIR[:TAG]`: an OCI image layout directory (`oci-layout`, `index.json`, `blobs/`).

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::layer::{BlobLocation, Layer};
use crate::manifest::{self, Descriptor, ImageConfig, Index, Manifest, PlatformSpec};
use crate::{Image, ImageError};

const REF_NAME: &str = "org.opencontainers.image.ref.name";

pub fn open(dir: &Path, tag: Option<&str>, platform: &PlatformSpec) -> Result<Image, ImageError> {
    if !dir.join("oci-layout").is_file() {
        return Err(ImageError::Format(format!(
            "{}: not an OCI image layout (no oci-layout file)",
            dir.display()
        )));
    }
    let index: Index = manifest::parse("index.json", &read_small(&dir.join("index.json"))?)?;
    let chosen = choose(&index, tag, dir)?;
    let mut descriptor = chosen.clone();
    let mut bytes = read_blob(dir, &descriptor)?;
    if manifest::is_index(&descriptor.media_type, &bytes) {
        let inner: Index = manifest::parse("image index", &bytes)?;
        descriptor = platform.select(&inner)?.clone();
        bytes = read_blob(dir, &descriptor)?;
    }
    let manifest: Manifest = manifest::parse("image manifest", &bytes)?;
    let config_bytes = read_blob(dir, &manifest.config)?;
    let config: ImageConfig = manifest::parse("image config", &config_bytes)?;
    let layers = layers_from(&manifest, &config, |d| {
        let hex = manifest::check_digest(&d.digest)?;
        Ok(BlobLocation::File(dir.join("blobs/sha256").join(hex)))
    })?;
    let name = chosen
        .annotations
        .get(REF_NAME)
        .map(|t| format!("{}:{t}", dir.display()))
        .unwrap_or_else(|| dir.display().to_string());
    let mut image = Image::layered(name, manifest.config.digest.clone(), &config, layers);
    image.artifact.manifest_digest = Some(descriptor.digest.clone());
    Ok(image)
}

fn choose<'a>(
    index: &'a Index,
    tag: Option<&str>,
    dir: &Path,
) -> Result<&'a Descriptor, ImageError> {
    match tag {
        Some(tag) => index
            .manifests
            .iter()
            .find(|d| d.annotations.get(REF_NAME).map(String::as_str) == Some(tag))
            .ok_or_else(|| {
                ImageError::Format(format!("{}: no image tagged {tag:?}", dir.display()))
            }),
        None => match index.manifests.as_slice() {
            [one] => Ok(one),
            [] => Err(ImageError::Format(format!(
                "{}: index.json lists no image",
                dir.display()
            ))),
            many => {
                let tags: Vec<&str> = many
                    .iter()
                    .filter_map(|d| d.annotations.get(REF_NAME).map(String::as_str))
                    .collect();
                Err(ImageError::Format(format!(
                    "{}: several images; pick one with oci:DIR:TAG (tags: {})",
                    dir.display(),
                    tags.join(", ")
                )))
            }
        },
    }
}

fn read_small(path: &PathBuf) -> Result<Vec<u8>, ImageError> {
    let f = std::fs::File::open(path).map_err(|e| ImageError::io(path, e))?;
    let mut bytes = Vec::new();
    f.take(manifest::MAX_JSON_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ImageError::io(path, e))?;
    if bytes.len() as u64 > manifest::MAX_JSON_BYTES {
        return Err(ImageError::Format(format!(
            "{}: larger than {} bytes",
            path.display(),
            manifest::MAX_JSON_BYTES
        )));
    }
    Ok(bytes)
}

fn read_blob(dir: &Path, descriptor: &Descriptor) -> Result<Vec<u8>, ImageError> {
    let hex = manifest::check_digest(&descriptor.digest)?;
    let bytes = read_small(&dir.join("blobs/sha256").join(hex))?;
    manifest::verify(&descriptor.digest, &descriptor.digest, &bytes)?;
    Ok(bytes)
}

/// Pairs manifest layers with the config's diff ids and history.
pub(crate) fn layers_from(
    manifest: &Manifest,
    config: &ImageConfig,
    mut locate: impl FnMut(&Descriptor) -> Result<BlobLocation, ImageError>,
) -> Result<Vec<Layer>, ImageError> {
    if manifest.layers.len() != config.rootfs.diff_ids.len() {
        return Err(ImageError::Format(format!(
            "manifest lists {} layers but the config has {} diff ids",
            manifest.layers.len(),
            config.rootfs.diff_ids.len()
        )));
    }
    let history = config.layer_history();
    manifest
        .layers
        .iter()
        .zip(&config.rootfs.diff_ids)
        .enumerate()
        .map(|(i, (d, diff_id))| {
            manifest::check_digest(diff_id)?;
            Ok(Layer {
                diff_id: diff_id.clone(),
                digest: Some(d.digest.clone()),
                blob: locate(d)?,
                created_by: history.get(i).cloned().flatten(),
            })
        })
        .collect()
}
