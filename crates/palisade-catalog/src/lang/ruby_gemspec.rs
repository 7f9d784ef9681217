//! Installed Ruby gems: specifications/*.gemspec.
//!
//! Not implemented yet: wants nothing.

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct RubyGemspec;

impl Cataloger for RubyGemspec {
    fn id(&self) -> &'static str {
        "ruby-gemspec"
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
