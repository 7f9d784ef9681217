//! Collects [`HostFacts`] for the host posture checks (`palisade_checks::host`): the thin I/O
//! adapter in front of the pure checks.
//!
//! - `files.rs`: under a configurable root (`/` on a real host, a fixture tree in tests): the
//!   daemon configuration file, the dockerd process's command line from `proc/`, owner and mode
//!   of the files the CIS Docker Benchmark names, `/etc/group`.
//! - `docker_api.rs`: the Docker Engine API over the unix socket: `/info`, every running
//!   container's inspect document and processes, every image's inspect document and history.

pub mod docker_api;
pub mod files;

use std::path::PathBuf;

use palisade_checks::host::{ContainerFacts, HostFacts, ImageFacts};
use serde_json::Value;

pub use docker_api::{default_socket, DockerApi};

#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("docker API {0}")]
    Docker(String),
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

/// What to collect, and from where.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// The host's root directory (`/`); files and `proc/` are read below it.
    pub root: PathBuf,
    /// The Docker API socket; `None`: do not talk to a daemon (files only).
    pub docker_socket: Option<PathBuf>,
    /// The daemon configuration file (host path); default: dockerd's `--config-file`, else
    /// `/etc/docker/daemon.json`.
    pub daemon_json: Option<String>,
    /// `DOCKER_CONTENT_TRUST` to report (the environment of the scan by default).
    pub content_trust: Option<String>,
}

/// The facts, and what could not be read (each a message; the scan goes on without it).
#[derive(Debug, Default)]
pub struct Collected {
    pub facts: HostFacts,
    pub errors: Vec<String>,
}

/// Collects everything the host checks read.
pub async fn collect(options: &CollectOptions) -> Collected {
    let mut out = Collected::default();
    let mut api = match &options.docker_socket {
        Some(socket) => match DockerApi::connect(socket).await {
            Ok(api) => Some(api),
            Err(e) => {
                out.errors.push(e.to_string());
                None
            }
        },
        None => None,
    };
    if let Some(api) = api.as_mut() {
        if let Err(e) = collect_docker(api, &mut out.facts).await {
            out.errors.push(e.to_string());
        }
    }
    let socket = options.docker_socket.as_deref();
    files::collect(options, socket, &mut out);
    out.facts.content_trust = options.content_trust.clone();
    out
}

async fn collect_docker(api: &mut DockerApi, facts: &mut HostFacts) -> Result<(), HostError> {
    facts.docker_info = Some(api.get("/info").await?);
    let list = api.get("/containers/json").await?;
    for c in list.as_array().into_iter().flatten() {
        let Some(id) = c.get("Id").and_then(Value::as_str) else {
            continue;
        };
        let inspect = match api
            .get(&format!("/containers/{}/json", docker_api::encode(id)))
            .await
        {
            Ok(v) => v,
            // Gone between the list and the inspect.
            Err(e) => {
                tracing::debug!("{e}");
                continue;
            }
        };
        let processes = match api
            .get(&format!("/containers/{}/top", docker_api::encode(id)))
            .await
        {
            Ok(top) => command_column(&top),
            Err(e) => {
                tracing::debug!("{e}");
                Vec::new()
            }
        };
        facts.containers.push(ContainerFacts { inspect, processes });
    }
    let images = api.get("/images/json").await?;
    for i in images.as_array().into_iter().flatten() {
        let Some(id) = i.get("Id").and_then(Value::as_str) else {
            continue;
        };
        let inspect = match api
            .get(&format!("/images/{}/json", docker_api::encode(id)))
            .await
        {
            Ok(v) => v,
            Err(e) => {
                tracing::debug!("{e}");
                continue;
            }
        };
        let history = api
            .get(&format!("/images/{}/history", docker_api::encode(id)))
            .await
            .ok()
            .and_then(|h| h.as_array().cloned())
            .unwrap_or_default();
        facts.images.push(ImageFacts { inspect, history });
    }
    Ok(())
}

/// The `CMD` (or `COMMAND`) column of `GET /containers/{id}/top`.
fn command_column(top: &Value) -> Vec<String> {
    let titles = top.get("Titles").and_then(Value::as_array);
    let Some(col) = titles.and_then(|t| {
        t.iter()
            .position(|t| matches!(t.as_str(), Some("CMD" | "COMMAND")))
    }) else {
        return Vec::new();
    };
    top.get("Processes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| p.get(col).and_then(Value::as_str).map(str::to_owned))
        .collect()
}
