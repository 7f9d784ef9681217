//! Vulnerability data: feeds, the local store, version schemes and the matcher.
//!
//! - `feed`: readers for the formats publishers use (OSV `all.zip`, NVD API 2.0, CISA KEV,
//!   FIRST EPSS, the Debian security tracker, the Alpine secdb).
//! - `store`: the SQLite database; `update` fills it from the feeds, `fetch` downloads them.
//! - `coordinates` says where each package is looked up, `matcher` evaluates OSV ranges,
//!   `assess` turns matches into rated and ranked findings, `suppress` applies ignore files
//!   and VEX, `version` holds the version schemes.

mod assess;
pub mod coordinates;
pub mod feed;
pub mod fetch;
mod index;
pub mod lists;
pub mod matcher;
pub mod osv;
pub mod store;
pub mod suppress;
pub mod update;
pub mod version;

pub use assess::{assess, rank, AdvisorySource, CveFacts, Enrichment, NoEnrichment};
pub use index::{apply_kev, remediations, OsvIndex};
pub use store::{Store, StoreError};
