//! .NET dependencies from *.deps.json.
//!
//! Not implemented yet: wants nothing.

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct DotnetDeps;

impl Cataloger for DotnetDeps {
    fn id(&self) -> &'static str {
        "dotnet-deps"
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
