//! RPM packages from the BerkeleyDB rpmdb (var/lib/rpm/Packages).
//!
//! Not implemented yet: wants nothing.

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct RpmBdb;

impl Cataloger for RpmBdb {
    fn id(&self) -> &'static str {
        "rpm-bdb"
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
