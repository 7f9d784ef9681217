//! `REGISTRY/REPO[:TAG|@DIGEST]`: pull through the OCI distribution API with `oci-client`.
//!
//! Manifests and configs are fetched raw and parsed here (one code path with the OCI layout);
//! layer blobs are downloaded once into the blob cache (`<cache>/blobs/sha256/<hex>`), so a
//! second scan of an image sharing layers downloads nothing.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use crate::layer::BlobLocation;
use crate::manifest::{self, ImageConfig, Index, Manifest, PlatformSpec};
use crate::oci_layout::layers_from;
use crate::{Image, ImageError, Secret};

/// Told how a pull advances (the CLI draws a progress bar from it).
pub trait PullProgress: Send + Sync {
    /// A pull of `total` bytes of blobs starts.
    fn start(&self, total: u64);
    fn advance(&self, bytes: u64);
    fn finish(&self);
}

/// How to reach registries.
#[derive(Clone, Default)]
pub struct RegistryOptions {
    /// Registries (host[:port]) spoken to over plain HTTP. Loopback registries always are.
    pub insecure: Vec<String>,
    /// Explicit credentials; otherwise `~/.docker/config.json` (or `$DOCKER_CONFIG`) is used.
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// Where downloaded blobs are kept.
    pub cache_dir: PathBuf,
    pub progress: Option<Arc<dyn PullProgress>>,
}

impl std::fmt::Debug for RegistryOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryOptions")
            .field("insecure", &self.insecure)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("cache_dir", &self.cache_dir)
            .finish_non_exhaustive()
    }
}

/// Counts bytes written through it into the pull progress.
struct Counting<'a, W> {
    inner: W,
    progress: Option<&'a dyn PullProgress>,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Counting<'_, W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let (Poll::Ready(Ok(n)), Some(progress)) = (&result, self.progress) {
            progress.advance(*n as u64);
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

const ACCEPTED: &[&str] = &[
    manifest::OCI_MANIFEST,
    manifest::DOCKER_MANIFEST,
    manifest::OCI_INDEX,
    manifest::DOCKER_MANIFEST_LIST,
];

pub async fn open(
    input: &str,
    options: &RegistryOptions,
    platform: &PlatformSpec,
) -> Result<Image, ImageError> {
    let reference: Reference = input.parse().map_err(|e| ImageError::InvalidReference {
        reference: input.to_string(),
        reason: format!("{e}"),
    })?;
    let registry = reference.resolve_registry().to_string();
    let mut plain_http = options.insecure.clone();
    if is_loopback(&registry) {
        plain_http.push(registry.clone());
    }
    let client = Client::new(ClientConfig {
        protocol: ClientProtocol::HttpsExcept(plain_http),
        platform_resolver: None,
        ..Default::default()
    });
    let auth = credentials(&registry, options);
    let err =
        |e: oci_client::errors::OciDistributionError| ImageError::Registry(format!("{input}: {e}"));

    let (mut bytes, mut digest) = client
        .pull_manifest_raw(&reference, &auth, ACCEPTED)
        .await
        .map_err(err)?;
    verify_manifest(&reference, &digest, &bytes)?;
    if manifest::is_index("", &bytes) {
        let index: Index = manifest::parse("image index", &bytes)?;
        let chosen = platform.select(&index)?;
        let by_digest = reference.clone_with_digest(chosen.digest.clone());
        (bytes, digest) = client
            .pull_manifest_raw(&by_digest, &auth, ACCEPTED)
            .await
            .map_err(err)?;
        manifest::verify("image manifest", &chosen.digest, &bytes)?;
    }
    let image_manifest: Manifest = manifest::parse("image manifest", &bytes)?;

    let mut config_bytes = Vec::new();
    client
        .pull_blob(
            &reference,
            image_manifest.config.digest.as_str(),
            &mut config_bytes,
        )
        .await
        .map_err(err)?;
    manifest::verify("image config", &image_manifest.config.digest, &config_bytes)?;
    let config: ImageConfig = manifest::parse("image config", &config_bytes)?;

    let blob_dir = options.cache_dir.join("blobs/sha256");
    std::fs::create_dir_all(&blob_dir).map_err(|e| ImageError::io(&blob_dir, e))?;
    let mut missing = Vec::new();
    for layer in &image_manifest.layers {
        let hex = manifest::check_digest(&layer.digest)?;
        let target = blob_dir.join(hex);
        if target.is_file() {
            tracing::debug!("blob {} cached", layer.digest);
        } else {
            missing.push((layer, target));
        }
    }
    let progress = options.progress.as_deref();
    if let Some(p) = progress {
        p.start(missing.iter().map(|(l, _)| l.size).sum());
    }
    for (layer, target) in missing {
        download(
            &client,
            &reference,
            &layer.digest,
            &blob_dir,
            &target,
            progress,
        )
        .await
        .map_err(|e| match e {
            DownloadError::Registry(e) => err(e),
            DownloadError::Image(e) => e,
        })?;
    }
    if let Some(p) = progress {
        p.finish();
    }
    let layers = layers_from(&image_manifest, &config, |d| {
        let hex = manifest::check_digest(&d.digest)?;
        Ok(BlobLocation::File(blob_dir.join(hex)))
    })?;
    let repo = format!("{}/{}", reference.registry(), reference.repository());
    let mut image = Image::layered(
        input.to_string(),
        image_manifest.config.digest.clone(),
        &config,
        layers,
    );
    image.artifact.manifest_digest = Some(digest.clone());
    image.artifact.repo_tags = reference
        .tag()
        .map(|t| vec![format!("{repo}:{t}")])
        .unwrap_or_default();
    image.artifact.repo_digests = vec![format!("{repo}@{digest}")];
    Ok(image)
}

enum DownloadError {
    Registry(oci_client::errors::OciDistributionError),
    Image(ImageError),
}

/// Downloads a blob to a temporary file beside its final name, then renames it into place,
/// so an interrupted download never leaves a partial blob in the cache.
async fn download(
    client: &Client,
    reference: &Reference,
    digest: &str,
    dir: &Path,
    target: &Path,
    progress: Option<&dyn PullProgress>,
) -> Result<(), DownloadError> {
    let temp = tempfile::Builder::new()
        .prefix(".partial-")
        .tempfile_in(dir)
        .map_err(|e| DownloadError::Image(ImageError::io(dir, e)))?;
    let (std_file, temp_path) = temp.into_parts();
    let mut file = Counting {
        inner: tokio::fs::File::from_std(std_file),
        progress,
    };
    client
        .pull_blob(reference, digest, &mut file)
        .await
        .map_err(DownloadError::Registry)?;
    use tokio::io::AsyncWriteExt;
    file.flush()
        .await
        .map_err(|e| DownloadError::Image(ImageError::io(target, e)))?;
    temp_path
        .persist(target)
        .map_err(|e| DownloadError::Image(ImageError::io(target, e.error)))?;
    Ok(())
}

fn verify_manifest(reference: &Reference, digest: &str, bytes: &[u8]) -> Result<(), ImageError> {
    if let Some(expected) = reference.digest() {
        manifest::verify("image manifest", expected, bytes)?;
    } else if digest.starts_with("sha256:") {
        manifest::verify("image manifest", digest, bytes)?;
    }
    Ok(())
}

fn is_loopback(registry: &str) -> bool {
    let host = registry
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map(|(h, _)| h)
        .unwrap_or(registry);
    matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1") || host.starts_with("127.")
}

/// Explicit credentials first, then the Docker config file's `auths` entry for the registry.
fn credentials(registry: &str, options: &RegistryOptions) -> RegistryAuth {
    if let (Some(user), Some(password)) = (&options.username, &options.password) {
        return RegistryAuth::Basic(user.clone(), password.expose().to_string());
    }
    match docker_config_auth(registry) {
        Some((user, password)) => RegistryAuth::Basic(user, password),
        None => RegistryAuth::Anonymous,
    }
}

fn docker_config_auth(registry: &str) -> Option<(String, String)> {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))?;
    let text = std::fs::read(dir.join("config.json")).ok()?;
    if let Some(helper) = credential_helper(&text, registry) {
        return run_credential_helper(&helper, registry);
    }
    parse_docker_config(&text, registry)
}

/// The credential helper for `registry`: `credHelpers[registry]`, else `credsStore`.
pub(crate) fn credential_helper(text: &[u8], registry: &str) -> Option<String> {
    let config: serde_json::Value = serde_json::from_slice(text).ok()?;
    let named = config
        .get("credHelpers")
        .and_then(|h| h.get(registry))
        .or_else(|| config.get("credsStore"))?
        .as_str()?;
    // The name becomes part of a program name: letters, digits, `-`, `_`, `.` only.
    named
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .then(|| format!("docker-credential-{named}"))
}

/// Runs a Docker credential helper (`<helper> get`, the server on stdin, JSON on stdout).
fn run_credential_helper(helper: &str, registry: &str) -> Option<(String, String)> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(helper)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| tracing::warn!("credential helper {helper}: {e}"))
        .ok()?;
    child.stdin.take()?.write_all(registry.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    if !output.status.success() {
        tracing::warn!("credential helper {helper} has no credentials for {registry}");
        return None;
    }
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    let user = answer.get("Username")?.as_str()?.to_string();
    let secret = answer.get("Secret")?.as_str()?.to_string();
    Some((user, secret))
}

/// Finds `auths[registry].auth` (base64 `user:password`) or `username`/`password` fields.
/// Docker Hub is stored under its legacy index URL.
pub(crate) fn parse_docker_config(text: &[u8], registry: &str) -> Option<(String, String)> {
    use base64::Engine;
    let config: serde_json::Value = serde_json::from_slice(text).ok()?;
    let auths = config.get("auths")?.as_object()?;
    let wanted = |key: &str| {
        let key = key
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        let host = key.split('/').next().unwrap_or(key);
        host == registry
            || (registry == "docker.io"
                && matches!(host, "index.docker.io" | "registry-1.docker.io"))
    };
    let entry = auths.iter().find(|(k, _)| wanted(k))?.1;
    if let Some(auth) = entry.get("auth").and_then(|a| a.as_str()) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth)
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (user, password) = decoded.split_once(':')?;
        return Some((user.to_string(), password.to_string()));
    }
    let user = entry.get("username")?.as_str()?;
    let password = entry.get("password")?.as_str()?;
    Some((user.to_string(), password.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_auth_is_found_by_registry_host() {
        let cfg = br#"{"auths":{"127.0.0.1:5001":{"auth":"YWxpY2U6czNjcmV0"},
            "https://index.docker.io/v1/":{"username":"bob","password":"pw"}}}"#;
        assert_eq!(
            parse_docker_config(cfg, "127.0.0.1:5001"),
            Some(("alice".into(), "s3cret".into()))
        );
        assert_eq!(
            parse_docker_config(cfg, "docker.io"),
            Some(("bob".into(), "pw".into()))
        );
        assert_eq!(parse_docker_config(cfg, "ghcr.io"), None);
        assert_eq!(parse_docker_config(b"not json", "ghcr.io"), None);
    }

    #[test]
    fn credential_helpers_are_named_safely() {
        let cfg = br#"{"credsStore":"desktop","credHelpers":{"gcr.io":"gcloud","evil":"../x"}}"#;
        assert_eq!(
            credential_helper(cfg, "gcr.io").as_deref(),
            Some("docker-credential-gcloud")
        );
        assert_eq!(
            credential_helper(cfg, "ghcr.io").as_deref(),
            Some("docker-credential-desktop")
        );
        assert_eq!(credential_helper(cfg, "evil"), None);
        assert_eq!(credential_helper(b"{}", "ghcr.io"), None);
    }

    #[test]
    fn loopback_registries_are_plain_http() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost:5000"));
        assert!(is_loopback("localhost"));
        assert!(!is_loopback("registry.example.com:5000"));
        assert!(!is_loopback("10.0.0.1:5000"));
    }
}
