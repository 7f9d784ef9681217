use palisade_model::{Ecosystem, OsInfo, Package};

/// What the image walker tells a cataloger about a file before reading it.
#[derive(Debug, Clone, Copy)]
pub struct FileMeta<'a> {
    /// Path inside the image, relative, without a leading slash (`var/lib/dpkg/status`).
    pub path: &'a str,
    pub size: u64,
    /// Unix permission bits.
    pub mode: u32,
}

impl FileMeta<'_> {
    pub fn is_executable(&self) -> bool {
        self.mode & 0o111 != 0
    }

    /// The last path component.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

/// What a cataloger found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub packages: Vec<Package>,
    /// Set by the OS detector only.
    pub os: Option<OsInfo>,
    /// Licences a file records for a package that another file proves installed (Debian's
    /// `usr/share/doc/<package>/copyright`); applied to packages that record none themselves.
    pub licenses: Vec<LicenseFact>,
}

/// "Package `name` of `ecosystem` is under these licences."
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LicenseFact {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub licenses: Vec<String>,
}

impl Found {
    pub fn packages(packages: Vec<Package>) -> Self {
        Self {
            packages,
            ..Self::default()
        }
    }
}

/// A cataloger reads one kind of file and reports the packages it proves are installed.
///
/// Catalogers are pure: the image walker offers every file once (`wants`), reads the ones
/// wanted (at most `max_size` bytes) and hands the bytes to `catalog`. They never do I/O.
pub trait Cataloger: Send + Sync {
    /// Stable identifier, equal to the file name of its module with `_` turned into `-`.
    fn id(&self) -> &'static str;
    /// Bumped whenever the output for the same input can change: it is part of the cache key.
    fn version(&self) -> u32;
    /// Whether this cataloger wants to read `file`. Called for every regular file: keep it cheap.
    fn wants(&self, file: &FileMeta<'_>) -> bool;
    /// Files larger than this are skipped (and the skip is logged), never read.
    fn max_size(&self) -> u64 {
        64 * 1024 * 1024
    }
    /// Parses the file. `path` is the file's image path; every returned package must carry it
    /// (or a path inside it, for archives) in `locations`.
    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError>;
}

/// A file a cataloger wanted could not be understood. Scans log it and carry on.
#[derive(Debug, thiserror::Error)]
#[error("{cataloger}: {path}: {message}")]
pub struct CatalogError {
    pub cataloger: &'static str,
    pub path: String,
    pub message: String,
}

impl CatalogError {
    pub fn new(cataloger: &'static str, path: &str, message: impl Into<String>) -> Self {
        Self {
            cataloger,
            path: path.to_string(),
            message: message.into(),
        }
    }
}
