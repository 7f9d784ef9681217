use std::path::PathBuf;

/// Why an image could not be opened or read. Every variant is a clear message for the user;
/// bad input (corrupt tars, digest mismatches, escaping paths) never panics.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("invalid image reference {reference:?}: {reason}")]
    InvalidReference { reference: String, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{context}: {source}")]
    Read {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{context}: malformed JSON: {source}")]
    Json {
        context: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{0}")]
    Format(String),
    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("layer {layer}: entry {path:?} escapes the image root")]
    PathEscape { layer: String, path: String },
    #[error(
        "layer {layer}: decompresses beyond {limit} bytes; refusing (possible decompression bomb)"
    )]
    DecompressionBomb { layer: String, limit: u64 },
    #[error("registry: {0}")]
    Registry(String),
    #[error("docker daemon: {0}")]
    Docker(String),
    #[error("{0}")]
    Unsupported(String),
}

impl ImageError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn json(context: impl Into<String>, source: serde_json::Error) -> Self {
        Self::Json {
            context: context.into(),
            source,
        }
    }
}
