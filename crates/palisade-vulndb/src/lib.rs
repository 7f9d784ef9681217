//! Vulnerability data: feeds, the local store, version schemes and the matcher.
//!
//! So far: version schemes (`version`), the OSV record model (`osv`), the OSV `all.zip` reader
//! (`feed::osv_zip`) and OSV range evaluation (`matcher`). The store and the other feeds follow.

pub mod feed;
mod index;
pub mod matcher;
pub mod osv;
pub mod suppress;
pub mod version;

pub use index::{apply_kev, remediations, OsvIndex};
