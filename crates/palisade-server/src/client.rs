//! The producers' side: send alert JSON lines to a server (`--server URL`), in batches, with
//! retries and back-off. A `Write` sink, so an engine's output writer can be pointed at it.

use std::io::Write;
use std::time::Duration;

/// Lines per request.
pub const BATCH_LINES: usize = 1000;
/// Attempts per batch (back-off 0.5 s, 1 s, 2 s, … between them).
pub const ATTEMPTS: u32 = 6;

/// The token: `PALISADE_TOKEN`, else the first line of `token_file`.
pub fn token(token_file: Option<&std::path::Path>) -> Result<String, std::io::Error> {
    if let Some(path) = token_file {
        let text = std::fs::read_to_string(path)?;
        let t = text.lines().next().unwrap_or_default().trim().to_string();
        if t.is_empty() {
            return Err(std::io::Error::other(format!(
                "{} is empty",
                path.display()
            )));
        }
        return Ok(t);
    }
    match std::env::var("PALISADE_TOKEN") {
        Ok(t) if !t.trim().is_empty() => Ok(t.trim().to_string()),
        _ => Err(std::io::Error::other(
            "--server needs a token: set PALISADE_TOKEN or pass --token-file",
        )),
    }
}

/// Buffers alert lines and posts them to `<server>/api/v1/ingest/alerts` in batches; `flush`
/// sends what is buffered. A batch the server refuses (4xx) is an error; connection errors
/// and 5xx are retried with back-off, then an error.
pub struct AlertSink {
    url: String,
    token: String,
    client: reqwest::blocking::Client,
    buf: Vec<u8>,
    lines: usize,
    pub sent: u64,
    pub duplicates: u64,
}

impl std::fmt::Debug for AlertSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertSink")
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl AlertSink {
    pub fn new(server: &str, token: String) -> Result<AlertSink, std::io::Error> {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(std::io::Error::other)?;
        Ok(AlertSink {
            url: format!("{}/api/v1/ingest/alerts", server.trim_end_matches('/')),
            token,
            client,
            buf: Vec::new(),
            lines: 0,
            sent: 0,
            duplicates: 0,
        })
    }

    fn send(&mut self, upto: usize) -> std::io::Result<()> {
        if upto == 0 {
            return Ok(());
        }
        let body = self.buf[..upto].to_vec();
        let mut delay = Duration::from_millis(500);
        for attempt in 1..=ATTEMPTS {
            let result = self
                .client
                .post(&self.url)
                .bearer_auth(&self.token)
                .body(body.clone())
                .send();
            match result {
                Ok(r) if r.status().is_success() => {
                    let v: serde_json::Value =
                        serde_json::from_str(&r.text().unwrap_or_default()).unwrap_or_default();
                    self.sent += v["accepted"].as_u64().unwrap_or(0);
                    self.duplicates += v["duplicates"].as_u64().unwrap_or(0);
                    self.buf.drain(..upto);
                    return Ok(());
                }
                Ok(r) if r.status().is_client_error() => {
                    let status = r.status();
                    let text = r.text().unwrap_or_default();
                    return Err(std::io::Error::other(format!(
                        "{} refused the alerts: {status} {}",
                        self.url,
                        text.trim()
                    )));
                }
                Ok(r) if attempt == ATTEMPTS => {
                    return Err(std::io::Error::other(format!(
                        "{} answered {} {ATTEMPTS} times",
                        self.url,
                        r.status()
                    )))
                }
                Err(e) if attempt == ATTEMPTS => {
                    return Err(std::io::Error::other(format!("{}: {e}", self.url)))
                }
                Ok(r) => tracing::warn!("{}: {} (retrying in {delay:?})", self.url, r.status()),
                Err(e) => tracing::warn!("{}: {e} (retrying in {delay:?})", self.url),
            }
            std::thread::sleep(delay);
            delay = (delay * 2).min(Duration::from_secs(30));
        }
        Ok(())
    }

    /// End of the last complete line in the buffer.
    fn complete(&self) -> usize {
        self.buf
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
    }
}

impl Write for AlertSink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        self.lines += data.iter().filter(|b| **b == b'\n').count();
        if self.lines >= BATCH_LINES {
            let end = self.complete();
            self.send(end)?;
            self.lines = 0;
        }
        Ok(data.len())
    }

    /// Sends every complete line buffered.
    fn flush(&mut self) -> std::io::Result<()> {
        let end = self.complete();
        self.send(end)?;
        self.lines = 0;
        Ok(())
    }
}

/// Posts sensor heartbeats to `<server>/api/v1/ingest/heartbeats` (one attempt each: the next
/// interval's heartbeat is the retry).
pub struct HeartbeatSender {
    url: String,
    token: String,
    client: reqwest::blocking::Client,
}

impl std::fmt::Debug for HeartbeatSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeartbeatSender")
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl HeartbeatSender {
    pub fn new(server: &str, token: String) -> Result<HeartbeatSender, std::io::Error> {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?;
        Ok(HeartbeatSender {
            url: format!("{}/api/v1/ingest/heartbeats", server.trim_end_matches('/')),
            token,
            client,
        })
    }

    pub fn send(&self, hb: &crate::heartbeat::Heartbeat) -> std::io::Result<()> {
        let r = self
            .client
            .post(&self.url)
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(hb).map_err(std::io::Error::other)?)
            .send()
            .map_err(|e| std::io::Error::other(format!("{}: {e}", self.url)))?;
        if r.status().is_success() {
            return Ok(());
        }
        let status = r.status();
        let text = r.text().unwrap_or_default();
        Err(std::io::Error::other(format!(
            "{} answered {status} {}",
            self.url,
            text.trim()
        )))
    }
}
