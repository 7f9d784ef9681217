//! The checks, one file each, grouped by family.

pub mod exposure;
pub mod host;
pub mod hygiene;
pub mod pss;
pub mod rbac;
