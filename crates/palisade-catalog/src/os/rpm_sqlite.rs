//! RPM packages from the SQLite rpmdb (var/lib/rpm/rpmdb.sqlite).
//!
//! Not implemented yet: wants nothing.

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct RpmSqlite;

impl Cataloger for RpmSqlite {
    fn id(&self) -> &'static str {
        "rpm-sqlite"
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
