//! Feed readers: the formats vulnerability publishers use, turned into records.

pub mod alpine_secdb;
pub mod debian_tracker;
pub mod epss;
pub mod kev;
pub mod nvd;
pub mod osv_zip;
