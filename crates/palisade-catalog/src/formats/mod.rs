//! Binary and text formats that several catalogers read (not catalogers themselves).

pub mod berkeley_db;
pub mod executable;
pub mod rpm_header;
