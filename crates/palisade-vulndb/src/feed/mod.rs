//! Feed readers: the formats vulnerability publishers use, turned into records.

pub mod osv_zip;
