use serde::{Deserialize, Serialize};

use crate::{OsInfo, Package};

/// Everything known about one analysed artifact: what it is, its layers, its OS and its packages.
/// This is the input of every SBOM writer and, later, of the vulnerability matcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// The artifact as the user named it (`docker-archive:app.tar`, `registry.local/app:1.0`).
    pub source: String,
    pub artifact: Artifact,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub os: Option<OsInfo>,
    pub packages: Vec<Package>,
}

/// The analysed image or directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// Human name: repository and tag when known, else the path.
    pub name: String,
    /// `image` or `directory` or `sbom`.
    pub kind: ArtifactKind,
    /// Manifest digest where the source has one (registry, OCI layout).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub manifest_digest: Option<String>,
    /// Image id: the digest of the image config. The same for every form of the same image.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config_digest: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub repo_tags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub repo_digests: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub architecture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub os: Option<String>,
    /// Layers bottom to top, by diff id.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub layers: Vec<LayerInfo>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    Image,
    Directory,
    Sbom,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerInfo {
    /// sha256 of the uncompressed layer tar (the config's `rootfs.diff_ids` entry).
    pub diff_id: String,
    /// Digest of the blob as stored (compressed) where the source has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub digest: Option<String>,
    /// Size of the blob as stored, in bytes.
    pub size: u64,
    /// The history entry's `created_by`, when the config records one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub created_by: Option<String>,
}
