//! Vulnerability data: feeds, the local store, version schemes and the matcher.
//!
//! Only the version schemes exist so far (`version`); feeds, store and matcher follow.

pub mod version;
