//! Image sources and the layer walker.
//!
//! [`open`] turns any supported reference into an [`Image`]: its metadata plus, per layer, where
//! the blob lives. [`Layer::walk`] streams one layer, verifying digests and offering files to a
//! [`LayerVisitor`]; [`LayeredView`] stacks per-layer results with whiteouts and symlinks.

mod background_hash;
mod dir;
mod docker_archive;
mod docker_daemon;
mod error;
mod layer;
pub mod manifest;
mod oci_layout;
mod reference;
mod registry;
mod secret;
mod view;

use std::path::PathBuf;
use std::sync::Arc;

use palisade_model::{Artifact, ArtifactKind, LayerInfo};

pub use error::ImageError;
pub use layer::{
    normalize_path, BlobLocation, FileEntry, Layer, LayerChanges, LayerVisitor, WalkLimits,
};
pub use manifest::PlatformSpec;
pub use reference::ImageRef;
pub use registry::{PullProgress, RegistryOptions};
pub use secret::Secret;
pub use view::LayeredView;

/// An opened image: what it is, and how to read its content.
#[derive(Debug)]
pub struct Image {
    pub artifact: Artifact,
    pub content: ImageContent,
    /// Keeps a decompressed or exported archive alive while the image is read.
    _temp: Option<Arc<tempfile::TempPath>>,
}

#[derive(Debug)]
pub enum ImageContent {
    /// Layers bottom to top.
    Layers(Vec<Layer>),
    /// A plain root filesystem.
    Directory(PathBuf),
}

impl Image {
    /// An image made of `layers` and described by `config`; sources add what else they know.
    fn layered(
        name: String,
        config_digest: String,
        config: &manifest::ImageConfig,
        layers: Vec<Layer>,
    ) -> Self {
        Self {
            artifact: Artifact {
                name,
                kind: ArtifactKind::Image,
                manifest_digest: None,
                config_digest: Some(config_digest),
                repo_tags: Vec::new(),
                repo_digests: Vec::new(),
                architecture: config.architecture.clone(),
                os: config.os.clone(),
                layers: Vec::new(),
            },
            content: ImageContent::Layers(layers),
            _temp: None,
        }
        .with_layer_info()
    }

    fn with_layer_info(mut self) -> Self {
        if let ImageContent::Layers(layers) = &self.content {
            self.artifact.layers = layers
                .iter()
                .map(|l| LayerInfo {
                    diff_id: l.diff_id.clone(),
                    digest: l.digest.clone(),
                    size: l.blob.size().unwrap_or(0),
                    created_by: l.created_by.clone(),
                })
                .collect();
        }
        self
    }
}

/// Options for opening images.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub platform: PlatformSpec,
    pub registry: RegistryOptions,
}

/// Opens `reference`. SBOM references are not images: the caller reads those itself.
pub async fn open(reference: &ImageRef, options: &OpenOptions) -> Result<Image, ImageError> {
    match reference {
        ImageRef::Registry(name) => {
            registry::open(name, &options.registry, &options.platform).await
        }
        ImageRef::OciLayout { dir, tag } => {
            oci_layout::open(dir, tag.as_deref(), &options.platform)
        }
        ImageRef::DockerArchive(path) => docker_archive::open(path),
        ImageRef::Docker(name) => docker_daemon::open(name).await,
        ImageRef::Dir(path) => {
            if !path.is_dir() {
                return Err(ImageError::Format(format!(
                    "{}: not a directory",
                    path.display()
                )));
            }
            Ok(Image {
                artifact: Artifact {
                    name: path.display().to_string(),
                    kind: ArtifactKind::Directory,
                    manifest_digest: None,
                    config_digest: None,
                    repo_tags: Vec::new(),
                    repo_digests: Vec::new(),
                    architecture: None,
                    os: None,
                    layers: Vec::new(),
                },
                content: ImageContent::Directory(path.clone()),
                _temp: None,
            })
        }
        ImageRef::Sbom(path) => Err(ImageError::Unsupported(format!(
            "{} is an SBOM, not an image",
            path.display()
        ))),
    }
}

/// Walks a plain directory as if it were one layer.
pub fn walk_directory(
    root: &std::path::Path,
    visitor: &mut dyn LayerVisitor,
) -> Result<LayerChanges, ImageError> {
    dir::walk(root, visitor)
}
