//! Rust binaries built with cargo-auditable (.dep-v0 section).
//!
//! Not implemented yet: wants nothing.

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct RustAudit;

impl Cataloger for RustAudit {
    fn id(&self) -> &'static str {
        "rust-audit"
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
