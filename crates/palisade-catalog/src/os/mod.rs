//! Operating-system detection and OS package databases.

pub mod apk;
pub mod dpkg;
pub mod dpkg_copyright;
pub mod dpkg_distroless;
pub mod os_release;
pub mod rpm_bdb;
pub mod rpm_ndb;
pub mod rpm_sqlite;
