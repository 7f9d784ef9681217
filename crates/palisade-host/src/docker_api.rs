//! A minimal Docker Engine API client over the unix socket (one HTTP/1.1 connection, reused),
//! the approach of `palisade-image`'s `docker_daemon.rs`. Only `GET`s of JSON documents, each
//! bounded in size.

use std::path::{Path, PathBuf};

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::Value;

use crate::HostError;

/// Largest JSON document read from the API (a big `docker info` or inspect is ~100 KiB).
const MAX_BODY: usize = 64 << 20;

/// The socket `DOCKER_HOST` names (`unix://...`), else `/var/run/docker.sock`.
pub fn default_socket() -> PathBuf {
    match std::env::var("DOCKER_HOST") {
        Ok(host) if host.starts_with("unix://") => PathBuf::from(&host["unix://".len()..]),
        _ => PathBuf::from("/var/run/docker.sock"),
    }
}

pub struct DockerApi {
    sender: SendRequest<Empty<Bytes>>,
    driver: tokio::task::JoinHandle<()>,
    socket: PathBuf,
}

impl Drop for DockerApi {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

impl DockerApi {
    pub async fn connect(socket: &Path) -> Result<Self, HostError> {
        let err = |e: String| HostError::Docker(format!("{}: {e}", socket.display()));
        let stream = tokio::net::UnixStream::connect(socket)
            .await
            .map_err(|e| err(format!("cannot connect: {e}")))?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| err(format!("handshake: {e}")))?;
        let driver = tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("docker API connection: {e}");
            }
        });
        Ok(Self {
            sender,
            driver,
            socket: socket.to_path_buf(),
        })
    }

    /// `GET path` → its JSON body.
    pub async fn get(&mut self, path: &str) -> Result<Value, HostError> {
        let err = |e: String| HostError::Docker(format!("GET {path}: {e}"));
        self.sender.ready().await.map_err(|e| err(e.to_string()))?;
        let request = hyper::Request::get(path)
            .header("Host", "docker")
            .body(Empty::<Bytes>::new())
            .map_err(|e| err(e.to_string()))?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| err(e.to_string()))?;
        let status = response.status();
        let body = Limited::new(response.into_body(), MAX_BODY)
            .collect()
            .await
            .map_err(|e| err(format!("reading the body: {e}")))?
            .to_bytes();
        if !status.is_success() {
            return Err(err(format!(
                "{status}: {}",
                String::from_utf8_lossy(&body).trim()
            )));
        }
        serde_json::from_slice(&body).map_err(|e| err(format!("not JSON: {e}")))
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }
}

/// Path segment escaping for ids and names (`/`, `:` and `@` are kept as image references use them).
pub fn encode(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
