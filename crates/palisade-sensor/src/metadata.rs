//! Container metadata (name, image, image digest, Kubernetes pod and namespace), cached per
//! container id. The Docker Engine API (over its unix socket, `io.kubernetes.*` labels) is
//! asked first; containers it does not know are looked up in their runtime's OCI bundle
//! (`config.json`, whose annotations carry what the runtime knew at creation):
//!
//! | runtime | bundle | annotations |
//! |---|---|---|
//! | containerd / CRI | `/run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/config.json` | `io.kubernetes.cri.*` (container-name, sandbox-name, sandbox-namespace, image-name) |
//! | CRI-O | `/run/containers/storage/overlay-containers/<id>/userdata/config.json` | `io.kubernetes.cri-o.*` (ImageName, ImageRef, Labels), `io.kubernetes.pod.*` |
//! | Podman | the same path (or below `/var/lib/containers/storage`), plus containers/storage's `containers.json` for the name and image | `io.container.manager: libpod`, `io.podman.annotations.*` |
//! | Docker (bundle only) | `/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/<id>/config.json` | none: the id only |
//!
//! Lookups happen when a container's first event is seen, before its first alert is written;
//! a failed lookup is cached too (briefly) so a dead daemon does not slow every event. Every
//! file read is bounded in size and parsed as untrusted JSON.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

/// What is known about one container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContainerInfo {
    /// The full (64 hex digit) id (not serialized: alerts carry it beside this).
    #[serde(skip_serializing)]
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The image as the container was created from (`repo:tag`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_repository: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_tag: Option<String>,
    /// A repository digest when the image has one, else the image id (`sha256:...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    /// When the container started (nanoseconds since the epoch), where the runtime says.
    #[serde(skip)]
    pub started_at_ns: Option<i64>,
    /// Where this came from: `docker`, `containerd-cri`, `cri-o`, `podman`, `oci-bundle`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_source: Option<&'static str>,
}

/// `registry:5000/team/app:1.2@sha256:..` → (`registry:5000/team/app`, `1.2`).
pub fn split_image(image: &str) -> (String, Option<String>) {
    let no_digest = image.split('@').next().unwrap_or(image);
    let slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    match no_digest[slash..].rfind(':') {
        Some(c) => (
            no_digest[..slash + c].to_string(),
            Some(no_digest[slash + c + 1..].to_string()),
        ),
        None => (no_digest.to_string(), None),
    }
}

/// Reads `GET /containers/{id}/json` (and the image's repo digests) into [`ContainerInfo`].
pub fn parse_inspect(container: &Value, image: Option<&Value>) -> ContainerInfo {
    let s = |v: &Value| v.as_str().map(str::to_string);
    let labels = &container["Config"]["Labels"];
    let label = |k: &str| labels.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let image_ref = s(&container["Config"]["Image"]);
    let (repo, tag) = match image_ref.as_deref() {
        Some(i) => {
            let (r, t) = split_image(i);
            (
                Some(r),
                t.or_else(|| (!i.contains('@')).then(|| "latest".to_string())),
            )
        }
        None => (None, None),
    };
    let digest = image
        .and_then(|i| i["RepoDigests"].as_array())
        .and_then(|d| d.first())
        .and_then(|d| d.as_str())
        .and_then(|d| d.split('@').nth(1))
        .map(str::to_string)
        .or_else(|| s(&container["Image"]));
    ContainerInfo {
        id: s(&container["Id"]).unwrap_or_default(),
        name: s(&container["Name"]).map(|n| n.trim_start_matches('/').to_string()),
        image: image_ref,
        image_repository: repo,
        image_tag: tag,
        image_digest: digest,
        pod_name: label("io.kubernetes.pod.name"),
        pod_namespace: label("io.kubernetes.pod.namespace"),
        privileged: container["HostConfig"]["Privileged"].as_bool(),
        started_at_ns: container["State"]["StartedAt"]
            .as_str()
            .and_then(palisade_audit::alert::parse_rfc3339_micros)
            .filter(|&us| us > 0)
            .map(|us| us.saturating_mul(1000)),
        metadata_source: Some("docker"),
    }
}

/// Largest `config.json` read.
const MAX_BUNDLE_CONFIG: u64 = 4 << 20;
/// Largest containers/storage `containers.json` read.
const MAX_STORAGE_INDEX: u64 = 64 << 20;

/// Reads at most `max` bytes of a file; larger files are an error.
fn read_bounded(path: &std::path::Path, max: u64) -> Option<Vec<u8>> {
    let f = std::fs::File::open(path).ok()?;
    let mut buf = Vec::new();
    f.take(max + 1).read_to_end(&mut buf).ok()?;
    if buf.len() as u64 > max {
        tracing::debug!(path = %path.display(), "metadata file too large; ignored");
        return None;
    }
    Some(buf)
}

/// A CRI image reference → digest when it names one (`repo@sha256:..`), and an image id
/// (`sha256:..` or 64 bare hex digits) as `sha256:...`.
fn digest_of(reference: &str) -> Option<String> {
    if let Some((_, d)) = reference.split_once('@') {
        return Some(d.to_string());
    }
    if reference.starts_with("sha256:") {
        return Some(reference.to_string());
    }
    (reference.len() == 64 && reference.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("sha256:{reference}"))
}

/// Fills the image fields from a reference (`repo:tag`, `repo@digest`).
fn set_image(info: &mut ContainerInfo, reference: &str) {
    if reference.is_empty() {
        return;
    }
    let (repo, tag) = split_image(reference);
    info.image = Some(reference.to_string());
    info.image_repository = Some(repo);
    info.image_tag = tag;
    if info.image_digest.is_none() {
        info.image_digest = digest_of(reference);
    }
}

/// What an OCI bundle's `config.json` says about container `id`, by the annotations of the
/// runtime that wrote it (see the module documentation). `None` when the text is not an OCI
/// runtime spec. The pause container of a pod (CRI sandbox) is named `POD`.
pub fn parse_bundle_config(id: &str, config: &Value) -> Option<ContainerInfo> {
    config.get("ociVersion")?.as_str()?;
    let ann = &config["annotations"];
    let a = |k: &str| ann.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    let mut info = ContainerInfo {
        id: id.to_string(),
        ..Default::default()
    };
    if let Some(kind) = a("io.kubernetes.cri.container-type") {
        // containerd's CRI plugin.
        info.metadata_source = Some("containerd-cri");
        info.name = if kind == "sandbox" {
            Some("POD".into())
        } else {
            a("io.kubernetes.cri.container-name").map(str::to_string)
        };
        info.pod_name = a("io.kubernetes.cri.sandbox-name").map(str::to_string);
        info.pod_namespace = a("io.kubernetes.cri.sandbox-namespace").map(str::to_string);
        if let Some(image) = a("io.kubernetes.cri.image-name") {
            set_image(&mut info, image);
        }
    } else if let Some(kind) = a("io.kubernetes.cri-o.ContainerType") {
        info.metadata_source = Some("cri-o");
        // Kubernetes labels: as annotations, or inside the Labels JSON string.
        let labels: Value = a("io.kubernetes.cri-o.Labels")
            .and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or(Value::Null);
        let k8s = |k: &str| {
            a(k).map(str::to_string)
                .or_else(|| labels.get(k).and_then(Value::as_str).map(str::to_string))
        };
        info.name = if kind == "sandbox" {
            Some("POD".into())
        } else {
            k8s("io.kubernetes.container.name")
                .or_else(|| a("io.kubernetes.cri-o.ContainerName").map(str::to_string))
        };
        info.pod_name = k8s("io.kubernetes.pod.name");
        info.pod_namespace = k8s("io.kubernetes.pod.namespace");
        info.image_digest = a("io.kubernetes.cri-o.ImageRef").and_then(digest_of);
        if let Some(image) = a("io.kubernetes.cri-o.ImageName") {
            set_image(&mut info, image);
        }
    } else if a("io.container.manager") == Some("libpod") {
        info.metadata_source = Some("podman");
        info.privileged =
            a("io.podman.annotations.privileged").map(|v| v.eq_ignore_ascii_case("true"));
    } else {
        info.metadata_source = Some("oci-bundle");
    }
    Some(info)
}

/// One container of containers/storage's `containers.json` (Podman, CRI-O): its names and
/// the image it was created from (the `metadata` string holds `image-name`).
pub fn parse_storage_entry(
    index: &Value,
    id: &str,
) -> Option<(Option<String>, Option<String>, Option<String>)> {
    let c = index.as_array()?.iter().find(|c| c["id"] == id)?;
    let name = c["names"]
        .as_array()
        .and_then(|n| n.first())
        .and_then(Value::as_str)
        .map(str::to_string);
    let meta: Value = c["metadata"]
        .as_str()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or(Value::Null);
    let image_name = meta["image-name"].as_str().map(str::to_string);
    let image_id = c["image"]
        .as_str()
        .or_else(|| meta["image-id"].as_str())
        .and_then(digest_of);
    Some((name, image_name, image_id))
}

/// Where runtimes keep their bundles; `root` is `/` on a node (another directory in tests).
#[derive(Debug, Clone)]
pub struct Bundles {
    root: PathBuf,
}

impl Bundles {
    pub fn new(root: impl Into<PathBuf>) -> Bundles {
        Bundles { root: root.into() }
    }

    /// The node's own runtime directories.
    pub fn system() -> Bundles {
        Bundles::new("/")
    }

    fn at(&self, rel: &str) -> PathBuf {
        self.root.join(rel.trim_start_matches('/'))
    }

    /// Candidate `config.json` paths for container `id`, in lookup order.
    pub fn candidates(&self, id: &str) -> Vec<PathBuf> {
        let mut out = Vec::new();
        // containerd: every namespace (k8s.io for Kubernetes, moby for Docker, default...).
        if let Ok(dir) = std::fs::read_dir(self.at("/run/containerd/io.containerd.runtime.v2.task"))
        {
            let mut namespaces: Vec<PathBuf> = dir
                .filter_map(Result::ok)
                .map(|e| e.path())
                .take(64)
                .collect();
            namespaces.sort();
            out.extend(
                namespaces
                    .into_iter()
                    .map(|ns| ns.join(id).join("config.json")),
            );
        }
        for rel in [
            "/run/containers/storage/overlay-containers",
            "/var/lib/containers/storage/overlay-containers",
        ] {
            out.push(self.at(rel).join(id).join("userdata/config.json"));
        }
        out.push(
            self.at("/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby")
                .join(id)
                .join("config.json"),
        );
        out
    }

    /// Metadata from the first bundle of `id` found; Podman's name and image from the
    /// storage index beside its bundle.
    pub fn lookup(&self, id: &str) -> Option<ContainerInfo> {
        if !id.bytes().all(|b| b.is_ascii_hexdigit()) || id.is_empty() {
            return None;
        }
        for path in self.candidates(id) {
            let Some(bytes) = read_bounded(&path, MAX_BUNDLE_CONFIG) else {
                continue;
            };
            let Ok(config) = serde_json::from_slice::<Value>(&bytes) else {
                continue;
            };
            let Some(mut info) = parse_bundle_config(id, &config) else {
                continue;
            };
            if info.image.is_none() {
                // containers/storage keeps names and images for Podman and CRI-O.
                for rel in [
                    "/var/lib/containers/storage/overlay-containers/containers.json",
                    "/run/containers/storage/overlay-containers/containers.json",
                ] {
                    let index = read_bounded(&self.at(rel), MAX_STORAGE_INDEX)
                        .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
                    if let Some((name, image, image_id)) =
                        index.as_ref().and_then(|i| parse_storage_entry(i, id))
                    {
                        info.image_digest = info.image_digest.or(image_id);
                        info.name = info.name.or(name);
                        if let Some(image) = image {
                            set_image(&mut info, &image);
                        }
                        break;
                    }
                }
            }
            return Some(info);
        }
        None
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error("docker socket {0}: {1}")]
    Io(String, std::io::Error),
    #[error("docker API: HTTP {0}")]
    Status(u16),
    #[error("docker API: malformed response: {0}")]
    Malformed(String),
}

/// A minimal blocking client of the Docker Engine API (`DOCKER_HOST=unix://...` or
/// `/var/run/docker.sock`).
#[derive(Debug, Clone)]
pub struct DockerClient {
    socket: PathBuf,
}

const MAX_RESPONSE: u64 = 4 << 20;

impl DockerClient {
    pub fn from_env() -> Self {
        let socket = std::env::var("DOCKER_HOST")
            .ok()
            .and_then(|h| h.strip_prefix("unix://").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("/var/run/docker.sock"));
        DockerClient { socket }
    }

    fn get(&self, path: &str) -> Result<Value, MetadataError> {
        let io = |e| MetadataError::Io(self.socket.display().to_string(), e);
        let mut s = UnixStream::connect(&self.socket).map_err(io)?;
        s.set_read_timeout(Some(Duration::from_secs(2)))
            .map_err(io)?;
        write!(s, "GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n").map_err(io)?;
        let mut buf = Vec::new();
        s.take(MAX_RESPONSE).read_to_end(&mut buf).map_err(io)?;
        let split = buf
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| MetadataError::Malformed("no header end".into()))?;
        let head = String::from_utf8_lossy(&buf[..split]);
        let status: u16 = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| MetadataError::Malformed("status line".into()))?;
        if status != 200 {
            return Err(MetadataError::Status(status));
        }
        serde_json::from_slice(&buf[split + 4..])
            .map_err(|e| MetadataError::Malformed(e.to_string()))
    }

    /// Inspects a container (and its image, for the repo digest).
    pub fn inspect(&self, id: &str) -> Result<ContainerInfo, MetadataError> {
        if !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(MetadataError::Malformed(format!("container id {id:?}")));
        }
        let c = self.get(&format!("/containers/{id}/json"))?;
        let image = c["Image"]
            .as_str()
            .filter(|i| i.starts_with("sha256:") && i[7..].bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|i| self.get(&format!("/images/{i}/json")).ok());
        Ok(parse_inspect(&c, image.as_ref()))
    }

    /// The running containers (`GET /containers/json`), each inspected; at most `max`.
    pub fn running(&self, max: usize) -> Result<Vec<ContainerInfo>, MetadataError> {
        let list = self.get("/containers/json")?;
        let ids: Vec<&str> = list
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c["Id"].as_str())
                    .take(max)
                    .collect()
            })
            .unwrap_or_default();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            match self.inspect(id) {
                Ok(info) => out.push(info),
                // Gone between the list and the inspect.
                Err(MetadataError::Status(404)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}

struct Entry {
    info: Option<ContainerInfo>,
    at: Instant,
}

/// Container id → metadata, bounded (oldest entries evicted past `capacity`).
pub struct MetadataCache {
    client: DockerClient,
    /// Asked when the Docker API does not know the container.
    bundles: Option<Bundles>,
    entries: HashMap<String, Entry>,
    capacity: usize,
    /// How long a failed lookup is remembered before it is tried again.
    retry_after: Duration,
}

impl MetadataCache {
    pub fn new(client: DockerClient) -> Self {
        MetadataCache {
            client,
            bundles: Some(Bundles::system()),
            entries: HashMap::new(),
            capacity: 4096,
            retry_after: Duration::from_secs(5),
        }
    }

    /// Where bundles are looked up (`None`: the Docker API only).
    pub fn with_bundles(mut self, bundles: Option<Bundles>) -> Self {
        self.bundles = bundles;
        self
    }

    /// Metadata for a container id; `None` if the runtime does not know it.
    pub fn get(&mut self, id: &str) -> Option<&ContainerInfo> {
        let stale = match self.entries.get(id) {
            Some(e) => e.info.is_none() && e.at.elapsed() > self.retry_after,
            None => true,
        };
        if stale {
            let info = match self.client.inspect(id) {
                Ok(i) => Some(i),
                Err(e) => {
                    let found = self.bundles.as_ref().and_then(|b| b.lookup(id));
                    if found.is_none() {
                        tracing::debug!(container = id, error = %e, "container metadata lookup failed");
                    }
                    found
                }
            };
            if self.entries.len() >= self.capacity {
                if let Some(oldest) = self
                    .entries
                    .iter()
                    .min_by_key(|(_, e)| e.at)
                    .map(|(k, _)| k.clone())
                {
                    self.entries.remove(&oldest);
                }
            }
            self.entries.insert(
                id.to_string(),
                Entry {
                    info,
                    at: Instant::now(),
                },
            );
        }
        self.entries.get(id).and_then(|e| e.info.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn image_references() {
        assert_eq!(split_image("nginx"), ("nginx".into(), None));
        assert_eq!(
            split_image("nginx:1.25"),
            ("nginx".into(), Some("1.25".into()))
        );
        assert_eq!(
            split_image("registry:5000/team/app:2@sha256:ab"),
            ("registry:5000/team/app".into(), Some("2".into()))
        );
        assert_eq!(
            split_image("registry:5000/team/app"),
            ("registry:5000/team/app".into(), None)
        );
    }

    #[test]
    fn inspect_with_kubernetes_labels() {
        let c = json!({
            "Id": "ab".repeat(32),
            "Name": "/k8s_web_web-7d_shop_0a1b_0",
            "Image": "sha256:1111",
            "Config": {"Image": "ghcr.io/acme/web:3.1", "Labels": {
                "io.kubernetes.pod.name": "web-7d", "io.kubernetes.pod.namespace": "shop"}},
            "HostConfig": {"Privileged": false},
            "State": {"StartedAt": "2026-12-07T22:30:01.123456789Z"}
        });
        let img = json!({"RepoDigests": ["ghcr.io/acme/web@sha256:2222"]});
        let i = parse_inspect(&c, Some(&img));
        assert_eq!(i.name.as_deref(), Some("k8s_web_web-7d_shop_0a1b_0"));
        assert_eq!(i.image_repository.as_deref(), Some("ghcr.io/acme/web"));
        assert_eq!(i.image_tag.as_deref(), Some("3.1"));
        assert_eq!(i.image_digest.as_deref(), Some("sha256:2222"));
        assert_eq!(i.pod_name.as_deref(), Some("web-7d"));
        assert_eq!(i.pod_namespace.as_deref(), Some("shop"));
        assert_eq!(i.started_at_ns, Some(1_796_682_601_123_456_000));
        // Without a repo digest: the image id; without a tag: latest.
        let c2 = json!({"Id": "x", "Image": "sha256:1111", "Config": {"Image": "busybox"}});
        let i2 = parse_inspect(&c2, None);
        assert_eq!(i2.image_digest.as_deref(), Some("sha256:1111"));
        assert_eq!(i2.image_tag.as_deref(), Some("latest"));
        assert_eq!(i2.pod_name, None);
        // Docker's zero time for a container that never started.
        let c3 = json!({"Id": "y", "State": {"StartedAt": "0001-01-01T00:00:00Z"}});
        assert_eq!(parse_inspect(&c3, None).started_at_ns, None);
    }

    fn fixtures() -> Bundles {
        Bundles::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/runtimes"))
    }

    #[test]
    fn containerd_cri_bundle() {
        let id = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988";
        let i = fixtures().lookup(id).unwrap();
        assert_eq!(i.metadata_source, Some("containerd-cri"));
        assert_eq!(i.id, id);
        assert_eq!(i.name.as_deref(), Some("web"));
        assert_eq!(i.pod_name.as_deref(), Some("web-7d9c5b8f4-x2xkq"));
        assert_eq!(i.pod_namespace.as_deref(), Some("shop"));
        assert_eq!(i.image.as_deref(), Some("ghcr.io/acme/web:3.1"));
        assert_eq!(i.image_repository.as_deref(), Some("ghcr.io/acme/web"));
        assert_eq!(i.image_tag.as_deref(), Some("3.1"));
        assert_eq!(i.image_digest, None);
        // The pod's sandbox (pause) container.
        let sb = fixtures()
            .lookup("aa11bb22cc33dd44aa11bb22cc33dd44aa11bb22cc33dd44aa11bb22cc33dd44")
            .unwrap();
        assert_eq!(sb.name.as_deref(), Some("POD"));
        assert_eq!(sb.pod_namespace.as_deref(), Some("shop"));
        assert_eq!(sb.image, None);
    }

    #[test]
    fn crio_bundle() {
        let id = "5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee0";
        let i = fixtures().lookup(id).unwrap();
        assert_eq!(i.metadata_source, Some("cri-o"));
        assert_eq!(i.name.as_deref(), Some("nginx"));
        assert_eq!(i.pod_name.as_deref(), Some("nginx-6b7f675859-abcde"));
        assert_eq!(i.pod_namespace.as_deref(), Some("default"));
        assert_eq!(i.image.as_deref(), Some("docker.io/library/nginx:1.25"));
        assert_eq!(
            i.image_repository.as_deref(),
            Some("docker.io/library/nginx")
        );
        assert_eq!(
            i.image_digest.as_deref(),
            Some("sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6")
        );
    }

    #[test]
    fn podman_bundle_and_storage_index() {
        let id = "9e8d7c6b5a4939281e8d7c6b5a4939281e8d7c6b5a4939281e8d7c6b5a493928";
        let i = fixtures().lookup(id).unwrap();
        assert_eq!(i.metadata_source, Some("podman"));
        assert_eq!(i.name.as_deref(), Some("web"));
        assert_eq!(i.privileged, Some(true));
        assert_eq!(i.image.as_deref(), Some("docker.io/library/nginx:latest"));
        assert_eq!(i.image_tag.as_deref(), Some("latest"));
        assert_eq!(
            i.image_digest.as_deref(),
            Some("sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6")
        );
        assert_eq!(i.pod_name, None);
    }

    #[test]
    fn unknown_or_hostile_ids_and_files() {
        assert!(fixtures().lookup(&"0".repeat(64)).is_none());
        assert!(fixtures().lookup("../../etc").is_none());
        assert!(fixtures().lookup("").is_none());
        assert_eq!(parse_bundle_config("x", &json!({"annotations": {}})), None);
        let bare = parse_bundle_config("x", &json!({"ociVersion": "1.0.2"})).unwrap();
        assert_eq!(bare.metadata_source, Some("oci-bundle"));
        assert_eq!(bare.name, None);
        // Wrong types are ignored, not trusted.
        let odd = parse_bundle_config(
            "x",
            &json!({"ociVersion": "1", "annotations": {
                "io.kubernetes.cri-o.ContainerType": "container",
                "io.kubernetes.cri-o.Labels": "{not json",
                "io.kubernetes.cri-o.ImageName": 7}}),
        )
        .unwrap();
        assert_eq!(odd.metadata_source, Some("cri-o"));
        assert_eq!((odd.image, odd.pod_name), (None, None));
        assert_eq!(parse_storage_entry(&json!({"id": "x"}), "x"), None);
    }
}
