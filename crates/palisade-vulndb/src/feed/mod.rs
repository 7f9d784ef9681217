//! Feed readers: the formats vulnerability publishers use, turned into records.

pub mod kev;
pub mod osv_zip;
