//! Distroless images: one dpkg status file per package in var/lib/dpkg/status.d/.
//!
//! Not implemented yet: wants nothing.

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct DpkgDistroless;

impl Cataloger for DpkgDistroless {
    fn id(&self) -> &'static str {
        "dpkg-distroless"
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
