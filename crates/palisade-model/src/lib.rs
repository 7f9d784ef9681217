//! Core types shared by every Palisade crate. No I/O, no async.

mod finding;
pub mod host_paths;
mod inventory;
mod os;
mod package;
mod purl;
mod severity;

pub use finding::{
    Cvss, DatabaseInfo, Epss, Finding, FixStatus, KevInfo, Remediation, ScanReport,
    SuppressedFinding, Suppression,
};
pub use inventory::{Artifact, ArtifactKind, Inventory, LayerInfo};
pub use os::{OsFamily, OsInfo};
pub use package::{Ecosystem, Location, Package, PackageKind};
pub use purl::purl_for;
pub use severity::Severity;
