//! The explicit table of catalogers. A cataloger that is not listed here never runs;
//! the test below fails when a cataloger module is missing from the table.

use crate::{lang, os, Cataloger};

pub static CATALOGERS: &[&dyn Cataloger] = &[
    &os::os_release::OsRelease,
    &os::dpkg::Dpkg,
    &os::dpkg_distroless::DpkgDistroless,
    &os::dpkg_copyright::DpkgCopyright,
    &os::apk::Apk,
    &os::rpm_sqlite::RpmSqlite,
    &os::rpm_bdb::RpmBdb,
    &os::rpm_ndb::RpmNdb,
    &lang::python::Python,
    &lang::npm_package::NpmPackage,
    &lang::npm_lock::NpmLock,
    &lang::go_binary::GoBinary,
    &lang::rust_audit::RustAudit,
    &lang::java::Java,
    &lang::ruby_gemspec::RubyGemspec,
    &lang::composer::Composer,
    &lang::dotnet_deps::DotnetDeps,
];

/// A digest of every cataloger's id and version: part of the layer cache key, so a changed
/// cataloger invalidates cached results.
pub fn catalogers_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for c in CATALOGERS {
        hasher.update(c.id().as_bytes());
        hasher.update(b"=");
        hasher.update(c.version().to_le_bytes());
        hasher.update(b";");
    }
    hex::encode(&hasher.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_cataloger_module_is_registered_once() {
        let registered: Vec<&str> = CATALOGERS.iter().map(|c| c.id()).collect();
        let unique: BTreeSet<&str> = registered.iter().copied().collect();
        assert_eq!(unique.len(), registered.len(), "duplicate cataloger ids");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for dir in ["os", "lang"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                let Some(stem) = name.strip_suffix(".rs") else {
                    continue;
                };
                if stem == "mod" {
                    continue;
                }
                let id = stem.replace('_', "-");
                assert!(
                    unique.contains(id.as_str()),
                    "{dir}/{name} is not in CATALOGERS"
                );
            }
        }
    }
}
