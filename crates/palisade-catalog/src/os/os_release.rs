//! Operating-system detection from os-release and older release files.
//!
//! Not implemented yet: wants nothing.

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct OsRelease;

impl Cataloger for OsRelease {
    fn id(&self) -> &'static str {
        "os-release"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, _file: &FileMeta<'_>) -> bool {
        false
    }

    fn catalog(&self, _path: &str, _content: &[u8]) -> Result<Found, CatalogError> {
        Ok(Found::default())
    }
}

/// Lower is more authoritative when several release files are present.
pub fn precedence(path: &str) -> u8 {
    match path {
        "etc/os-release" => 0,
        "usr/lib/os-release" => 1,
        _ => 2,
    }
}
