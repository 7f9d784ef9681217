//! Catalogers: turn an image's files into the packages installed in it.
//!
//! Each cataloger lives in its own file under `os/` or `lang/` and is listed in
//! [`registry::CATALOGERS`]. `scan` drives them over an image, one layer at a time.

mod cataloger;
pub mod formats;
pub mod lang;
pub mod os;
pub mod registry;
mod scan;

pub use cataloger::{CatalogError, Cataloger, FileMeta, Found, LicenseFact};
pub use scan::{scan, FileResult, LayerResult, ScanError, ScanOptions, ScanProgress};
