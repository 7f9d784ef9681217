//! Rust binaries built with `cargo auditable`: the `.dep-v0` section (ELF, Mach-O, PE) holds the
//! zlib-compressed JSON list of every crate compiled into the binary.
//!
//! Why it matters: Rust programs are statically linked and images rarely ship a `Cargo.lock`;
//! the embedded list is the only reliable record of the crates (and versions) inside, which the
//! RustSec advisories (OSV ecosystem `crates.io`) are matched against. Distributions such as
//! Alpine, Chainguard/Wolfi, Debian and Fedora build their Rust packages this way.
//!
//! ```json
//! {"packages":[
//!   {"name":"autocfg","version":"1.1.0","source":"crates.io","kind":"build"},
//!   {"name":"hello-audit","version":"0.3.0","source":"local","dependencies":[0,2],"root":true},
//!   {"name":"itoa","version":"1.0.1","source":"crates.io"}],
//!  "format":1}
//! ```
//!
//! Packages: every entry whose `kind` is `runtime` (the default when omitted); `build`
//! dependencies (build scripts, proc-macros) are not in the binary and are skipped, like Trivy.
//! The `root` package is kind Application. The decompressed JSON is capped at 8 MiB (zip bombs).
//!
//! References: <https://github.com/rust-secure-code/cargo-auditable> (`auditable-serde`,
//! `auditable-extract`), Trivy `pkg/dependency/parser/rust/binary/parse.go`.

use std::io::Read;

use palisade_model::{Ecosystem, Package, PackageKind};
use serde::Deserialize;

use crate::formats::executable::Executable;
use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct RustAudit;

const SECTION: &str = ".dep-v0";
const MAX_JSON: u64 = 8 * 1024 * 1024;

impl Cataloger for RustAudit {
    fn id(&self) -> &'static str {
        "rust-audit"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        file.is_executable() && file.size > 0
    }

    fn max_size(&self) -> u64 {
        256 * 1024 * 1024
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        let err = |m: String| CatalogError::new(self.id(), path, m);
        let Some(exe) = Executable::parse(content).map_err(err)? else {
            return Ok(Found::default());
        };
        let Some(compressed) = exe.section(SECTION) else {
            return Ok(Found::default());
        };
        let json = inflate(compressed, MAX_JSON).map_err(err)?;
        let info: VersionInfo = serde_json::from_slice(&json)
            .map_err(|e| err(format!("invalid {SECTION} JSON: {e}")))?;
        let packages = info
            .packages
            .into_iter()
            .filter(|p| p.kind.as_deref().unwrap_or("runtime") == "runtime")
            .filter(|p| !p.name.trim().is_empty() && !p.version.trim().is_empty())
            .map(|p| {
                let mut pkg = Package::new(p.name.trim(), p.version.trim(), Ecosystem::Cargo, path);
                if p.root {
                    pkg.kind = PackageKind::Application;
                }
                pkg
            })
            .collect();
        Ok(Found::packages(packages))
    }
}

#[derive(Deserialize)]
struct VersionInfo {
    packages: Vec<AuditPackage>,
}

#[derive(Deserialize)]
struct AuditPackage {
    name: String,
    version: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    root: bool,
}

/// zlib-decompresses `data`, failing instead of producing more than `max` bytes.
fn inflate(data: &[u8], max: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data)
        .take(max.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| format!("{SECTION} is not zlib data: {e}"))?;
    if out.len() as u64 > max {
        return Err(format!("{SECTION} decompresses to more than {max} bytes"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn fixture() -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/rust-audit/hello-audit");
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn real_auditable_binary() {
        let found = RustAudit
            .catalog("usr/bin/hello-audit", &fixture())
            .unwrap();
        let got: Vec<_> = found
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.kind, p.ecosystem))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "hello-audit",
                    "0.3.0",
                    PackageKind::Application,
                    Ecosystem::Cargo
                ),
                ("itoa", "1.0.1", PackageKind::Library, Ecosystem::Cargo),
            ]
        );
        assert!(found
            .packages
            .iter()
            .all(|p| p.locations[0].path == "usr/bin/hello-audit"));
    }

    #[test]
    fn other_binaries_have_nothing() {
        let go = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/go-binary/hello-linux-amd64"),
        )
        .unwrap();
        assert!(RustAudit.catalog("x", &go).unwrap().packages.is_empty());
        assert!(RustAudit
            .catalog("x", b"#!/bin/sh\nexit 0\n")
            .unwrap()
            .packages
            .is_empty());
        assert!(RustAudit.catalog("x", b"\x7fELF\x02\x01").is_err());
    }

    #[test]
    fn inflate_is_capped() {
        let bomb = zlib(&vec![b' '; 9 * 1024 * 1024]);
        assert!(bomb.len() < 64 * 1024);
        assert!(inflate(&bomb, MAX_JSON).unwrap_err().contains("more than"));
        assert_eq!(inflate(&zlib(b"{}"), MAX_JSON).unwrap(), b"{}");
        assert!(inflate(b"not zlib", MAX_JSON).is_err());
        assert!(inflate(&[], MAX_JSON).is_err());
    }

    #[test]
    fn corrupted_section_is_an_error() {
        // Overwrite the first bytes of the section's zlib stream in the real binary.
        let mut bin = fixture();
        let at = {
            let exe = Executable::parse(&bin).unwrap().unwrap();
            let sec = exe.section(SECTION).unwrap();
            sec.as_ptr() as usize - bin.as_ptr() as usize
        };
        bin[at] = 0;
        bin[at + 1] = 0;
        assert!(RustAudit.catalog("x", &bin).is_err());
    }
}
