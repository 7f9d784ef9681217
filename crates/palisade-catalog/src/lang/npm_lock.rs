//! npm lock files (package-lock.json v1, v2, v3).
//!
//! Not implemented yet: wants nothing.

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct NpmLock;

impl Cataloger for NpmLock {
    fn id(&self) -> &'static str {
        "npm-lock"
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
