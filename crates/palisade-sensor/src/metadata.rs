//! Container metadata (name, image, image digest, Kubernetes pod and namespace from the
//! `io.kubernetes.*` labels) from the Docker Engine API over its unix socket, cached per
//! container id. Lookups happen when a container's first event is seen, before its first
//! alert is written; a failed lookup is cached too (briefly) so a dead daemon does not slow
//! every event.

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
}

struct Entry {
    info: Option<ContainerInfo>,
    at: Instant,
}

/// Container id → metadata, bounded (oldest entries evicted past `capacity`).
pub struct MetadataCache {
    client: DockerClient,
    entries: HashMap<String, Entry>,
    capacity: usize,
    /// How long a failed lookup is remembered before it is tried again.
    retry_after: Duration,
}

impl MetadataCache {
    pub fn new(client: DockerClient) -> Self {
        MetadataCache {
            client,
            entries: HashMap::new(),
            capacity: 4096,
            retry_after: Duration::from_secs(5),
        }
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
                    tracing::debug!(container = id, error = %e, "container metadata lookup failed");
                    None
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
            "HostConfig": {"Privileged": false}
        });
        let img = json!({"RepoDigests": ["ghcr.io/acme/web@sha256:2222"]});
        let i = parse_inspect(&c, Some(&img));
        assert_eq!(i.name.as_deref(), Some("k8s_web_web-7d_shop_0a1b_0"));
        assert_eq!(i.image_repository.as_deref(), Some("ghcr.io/acme/web"));
        assert_eq!(i.image_tag.as_deref(), Some("3.1"));
        assert_eq!(i.image_digest.as_deref(), Some("sha256:2222"));
        assert_eq!(i.pod_name.as_deref(), Some("web-7d"));
        assert_eq!(i.pod_namespace.as_deref(), Some("shop"));
        // Without a repo digest: the image id; without a tag: latest.
        let c2 = json!({"Id": "x", "Image": "sha256:1111", "Config": {"Image": "busybox"}});
        let i2 = parse_inspect(&c2, None);
        assert_eq!(i2.image_digest.as_deref(), Some("sha256:1111"));
        assert_eq!(i2.image_tag.as_deref(), Some("latest"));
        assert_eq!(i2.pod_name, None);
    }
}
