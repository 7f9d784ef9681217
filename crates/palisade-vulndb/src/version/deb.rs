//! (to be written)

use std::cmp::Ordering;

use super::VersionError;

/// Not implemented yet: every comparison is an error.
pub fn compare(a: &str, _b: &str) -> Result<Ordering, VersionError> {
    Err(VersionError::new("deb", a, "not implemented yet"))
}
