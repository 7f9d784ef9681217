//! `docker:NAME`: an image in the local Docker daemon, exported over its unix socket
//! (`GET /images/{name}/get`, the same tar `docker save` writes) into a temporary file and
//! read as a docker-archive.

use std::path::PathBuf;
use std::sync::Arc;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;

use crate::{docker_archive, Image, ImageError};

fn socket_path() -> PathBuf {
    match std::env::var("DOCKER_HOST") {
        Ok(host) if host.starts_with("unix://") => PathBuf::from(&host["unix://".len()..]),
        _ => PathBuf::from("/var/run/docker.sock"),
    }
}

pub async fn open(name: &str) -> Result<Image, ImageError> {
    let socket = socket_path();
    let stream = tokio::net::UnixStream::connect(&socket)
        .await
        .map_err(|e| ImageError::Docker(format!("cannot connect to {}: {e}", socket.display())))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| ImageError::Docker(format!("handshake: {e}")))?;
    let driver = tokio::spawn(connection);
    let uri = format!("/images/{}/get", encode_path(name));
    let request = hyper::Request::get(uri)
        .header("Host", "docker")
        .body(Empty::<Bytes>::new())
        .map_err(|e| ImageError::Docker(e.to_string()))?;
    let mut response = sender
        .send_request(request)
        .await
        .map_err(|e| ImageError::Docker(format!("request: {e}")))?;
    let status = response.status();
    if !status.is_success() {
        let body = response
            .into_body()
            .collect()
            .await
            .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
            .unwrap_or_default();
        return Err(ImageError::Docker(format!(
            "image {name:?}: {status}: {}",
            body.trim()
        )));
    }
    let temp = tempfile::Builder::new()
        .prefix("palisade-docker-")
        .tempfile()
        .map_err(|e| ImageError::io(std::env::temp_dir(), e))?;
    let (std_file, temp_path) = temp.into_parts();
    let mut file = tokio::fs::File::from_std(std_file);
    while let Some(frame) = response.body_mut().frame().await {
        let frame = frame.map_err(|e| ImageError::Docker(format!("reading the export: {e}")))?;
        if let Some(data) = frame.data_ref() {
            file.write_all(data)
                .await
                .map_err(|e| ImageError::io(temp_path.to_path_buf(), e))?;
        }
    }
    file.flush()
        .await
        .map_err(|e| ImageError::io(temp_path.to_path_buf(), e))?;
    driver.abort();
    let mut image = docker_archive::open(&temp_path)?;
    if image._temp.is_none() {
        image._temp = Some(Arc::new(temp_path));
    }
    image.artifact.name = name.to_string();
    Ok(image)
}

/// Image names may contain `/` and `:`; both are fine in the path, others are escaped.
fn encode_path(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
