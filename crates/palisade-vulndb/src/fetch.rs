//! Downloads over HTTP(S) for `db update`: conditional requests, retries on rate limits and
//! server errors, a size cap, everything streamed to a file.

use std::fs::File;
use std::io::{Read, Write};
use std::time::Duration;

use crate::update::{FetchError, FetchOutcome, Fetcher, Validators};

/// No feed comes near this (OSV's largest `all.zip` is a few hundred MB).
pub const MAX_DOWNLOAD_BYTES: u64 = 8 * 1024 * 1024 * 1024;

#[derive(Debug)]
pub struct HttpFetcher {
    client: reqwest::blocking::Client,
    nvd_api_key: Option<String>,
    attempts: u32,
}

impl HttpFetcher {
    /// A client with sane time-outs; `NVD_API_KEY`, when set, is sent to the NVD API (it
    /// raises NVD's rate limit).
    pub fn new() -> Result<Self, FetchError> {
        let client = reqwest::blocking::Client::builder()
            .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(20))
            .timeout(Duration::from_secs(30 * 60))
            .build()
            .map_err(|e| FetchError::Failed {
                url: String::new(),
                message: e.to_string(),
            })?;
        Ok(Self {
            client,
            nvd_api_key: std::env::var("NVD_API_KEY").ok().filter(|k| !k.is_empty()),
            attempts: 4,
        })
    }
}

/// An error with its causes ("error sending request: dns error: failed to lookup ...").
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl Fetcher for HttpFetcher {
    fn fetch(
        &self,
        url: &str,
        validators: &Validators,
        dest: &mut File,
    ) -> Result<FetchOutcome, FetchError> {
        let failed = |message: String| FetchError::Failed {
            url: url.to_string(),
            message,
        };
        let mut attempt = 0;
        let response = loop {
            attempt += 1;
            let mut request = self.client.get(url);
            if let Some(etag) = &validators.etag {
                request = request.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(date) = &validators.last_modified {
                request = request.header(reqwest::header::IF_MODIFIED_SINCE, date);
            }
            if let (Some(key), true) = (&self.nvd_api_key, url.contains("/rest/json/cves/")) {
                request = request.header("apiKey", key);
            }
            let retry_after = match request.send() {
                Ok(r) if r.status().as_u16() == 429 || r.status().is_server_error() => {
                    let wait = r
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(1 << attempt)
                        .min(60);
                    if attempt >= self.attempts {
                        return Err(failed(format!("HTTP {}", r.status())));
                    }
                    wait
                }
                Ok(r) => break r,
                // A time-out may pass; a refused connection or unknown host gets one more try
                // (no point waiting long on a machine that is offline).
                Err(e) if attempt < self.attempts && e.is_timeout() => 1 << attempt,
                Err(e) if attempt < 2 && e.is_connect() => 1,
                Err(e) => return Err(failed(chain(&e))),
            };
            tracing::warn!("{url}: retrying in {retry_after} s");
            std::thread::sleep(Duration::from_secs(retry_after));
        };
        if response.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(FetchOutcome::NotModified);
        }
        if !response.status().is_success() {
            return Err(failed(format!("HTTP {}", response.status())));
        }
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        if response
            .content_length()
            .is_some_and(|n| n > MAX_DOWNLOAD_BYTES)
        {
            return Err(FetchError::TooLarge {
                url: url.into(),
                limit: MAX_DOWNLOAD_BYTES,
            });
        }
        let mut body = response.take(MAX_DOWNLOAD_BYTES + 1);
        let copied = std::io::copy(&mut body, dest).map_err(|e| failed(chain(&e)))?;
        if copied > MAX_DOWNLOAD_BYTES {
            return Err(FetchError::TooLarge {
                url: url.into(),
                limit: MAX_DOWNLOAD_BYTES,
            });
        }
        dest.flush()?;
        Ok(FetchOutcome::Downloaded {
            etag,
            last_modified,
        })
    }
}
