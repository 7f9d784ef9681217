//! Go binaries: the build information the Go linker embeds in every executable built in module
//! mode (Go 1.13 and later): the Go version, the main module and every dependency module with
//! its version, replacements and build settings.
//!
//! Why it matters: Go programs are statically linked, so a container often holds no other trace
//! of the modules (or of the Go standard library version) compiled into it; vulnerabilities in
//! both are reported by the Go vulnerability database (OSV ecosystem `Go`).
//!
//! Where it is: the `.go.buildinfo` section (ELF), `__go_buildinfo` (Mach-O), else at a 16-byte
//! aligned offset in a writable data section (PE `.data`), else in a loadable segment (binaries
//! whose section headers were stripped). A 32-byte header starts with the magic
//! `\xff Go buildinf:`, then pointer size and a flags byte. Go 1.18+ (flag bit 2) stores two
//! varint-length-prefixed strings right after the header; older linkers store two pointers to
//! Go string headers (address, length) that are followed through the section table.
//! The second string is the module info, wrapped in 16 sentinel bytes on each side (fields are
//! separated by tabs, shown here as two spaces):
//!
//! ```text
//! path  example.com/hello
//! mod  example.com/hello  (devel)
//! dep  example.com/greet  v1.0.0
//! =>  ../greet  (devel)
//! dep  example.com/quote  v1.5.2  h1:n65LEq7+W2OAhTa3KdhzZ27haxIb4en6L3IZgpB+yFo=
//! build  GOOS=linux
//! ```
//!
//! Packages: the main module (kind Application; version empty when it is `(devel)`), each `dep`
//! (Library; a replacement by another module version reports the replacement, a replacement by a
//! local directory keeps the original path with an empty version, since the code is not that
//! release), and `stdlib` (kind Runtime) with the Go version written as semver with a `v`, the way
//! Go module versions are written and OSV's `stdlib` ranges are compared (`go1.21.3` → `v1.21.3`,
//! `go1.20` → `v1.20.0`, `go1.21rc2` → `v1.21.0-rc.2`).
//!
//! References: Go `src/debug/buildinfo/buildinfo.go`, `src/runtime/debug/mod.go`
//! (`ParseBuildInfo`), <https://go.dev/ref/mod#go-version-m>,
//! <https://ossf.github.io/osv-schema/> (ecosystem `Go`, package `stdlib`).

use palisade_model::{Ecosystem, Package, PackageKind};

use crate::formats::executable::Executable;
use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct GoBinary;

const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER_SIZE: usize = 32;
const ALIGN: usize = 16;
/// No real version or module info string comes near this.
const MAX_STRING: u64 = 16 * 1024 * 1024;

impl Cataloger for GoBinary {
    fn id(&self) -> &'static str {
        "go-binary"
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
        let Some((go_version, modinfo)) = build_info(&exe) else {
            return Ok(Found::default());
        };
        Ok(Found::packages(packages(&go_version, &modinfo, path)))
    }
}

/// The Go version and the module info text, if the binary carries build information.
fn build_info(exe: &Executable<'_>) -> Option<(String, String)> {
    let header = exe
        .section(".go.buildinfo")
        .or_else(|| exe.section("__go_buildinfo"))
        .filter(|d| d.starts_with(MAGIC))
        .or_else(|| exe.data_sections().into_iter().find_map(find_magic))
        .or_else(|| {
            // Like Go's reader: segments only when there is no section table to go by.
            if exe.has_sections() {
                None
            } else {
                exe.segments().into_iter().find_map(find_magic)
            }
        })?;
    decode(header, |addr, len| exe.read_at(addr, len, MAX_STRING))
}

/// The build info header inside a data section: the magic at a 16-byte aligned offset.
fn find_magic(data: &[u8]) -> Option<&[u8]> {
    (0..data.len())
        .step_by(ALIGN)
        .find(|&i| data.get(i..).is_some_and(|d| d.starts_with(MAGIC)))
        .and_then(|i| data.get(i..))
}

/// Decodes the header at the start of `data`. `read(address, len)` reads memory for the
/// pre-1.18 pointer format.
fn decode<'a>(
    data: &'a [u8],
    read: impl Fn(u64, u64) -> Option<&'a [u8]>,
) -> Option<(String, String)> {
    if !data.starts_with(MAGIC) || data.len() < HEADER_SIZE {
        return None;
    }
    let ptr_size = usize::from(*data.get(14)?);
    let flags = *data.get(15)?;
    let (version, modinfo) = if flags & 2 != 0 {
        let rest = data.get(HEADER_SIZE..)?;
        let (version, rest) = varint_string(rest)?;
        let (modinfo, _) = varint_string(rest)?;
        (version, modinfo)
    } else {
        if ptr_size != 4 && ptr_size != 8 {
            return None;
        }
        let big_endian = flags & 1 != 0;
        let read_ptr = |b: &[u8]| -> Option<u64> {
            let b = b.get(..ptr_size)?;
            let mut v: u64 = 0;
            for i in 0..ptr_size {
                let byte = if big_endian {
                    *b.get(i)?
                } else {
                    *b.get(ptr_size - 1 - i)?
                };
                v = (v << 8) | u64::from(byte);
            }
            Some(v)
        };
        // Each pointer leads to a Go string header: data address, then length.
        let read_string = |ptr_at: usize| -> Option<&'a [u8]> {
            let header_addr = read_ptr(data.get(ptr_at..)?)?;
            let header = read(header_addr, 2 * ptr_size as u64)?;
            let addr = read_ptr(header)?;
            let len = read_ptr(header.get(ptr_size..)?)?;
            if len == 0 {
                return Some(&[]);
            }
            read(addr, len)
        };
        (read_string(16)?, read_string(16 + ptr_size)?)
    };
    let version = String::from_utf8_lossy(version).into_owned();
    // The module info is wrapped in 16 sentinel bytes on each side.
    let modinfo = if modinfo.len() >= 33 && modinfo.get(modinfo.len() - 17) == Some(&b'\n') {
        modinfo.get(16..modinfo.len() - 16).unwrap_or_default()
    } else {
        &[]
    };
    Some((version, String::from_utf8_lossy(modinfo).into_owned()))
}

/// A string prefixed by its length as an unsigned LEB128 varint.
fn varint_string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut len: u64 = 0;
    let mut shift = 0u32;
    let mut used = 0usize;
    loop {
        let byte = *data.get(used)?;
        used += 1;
        if shift >= 64 {
            return None;
        }
        len |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let len = usize::try_from(len).ok()?;
    let end = used.checked_add(len)?;
    Some((data.get(used..end)?, data.get(end..)?))
}

/// One module line: path, version (possibly empty), as in Go's `debug.Module`.
#[derive(Debug, Default, Clone)]
struct Module {
    path: String,
    version: String,
    replace: Option<(String, String)>,
}

fn parse_module(fields: &[&str]) -> Module {
    Module {
        path: fields.first().copied().unwrap_or("").to_string(),
        version: fields.get(1).copied().unwrap_or("").to_string(),
        replace: None,
    }
}

fn packages(go_version: &str, modinfo: &str, path: &str) -> Vec<Package> {
    let mut main: Option<Module> = None;
    let mut deps: Vec<Module> = Vec::new();
    let mut last_is_main = false;
    for line in modinfo.lines() {
        let mut fields = line.split('\t');
        let key = fields.next().unwrap_or("");
        let rest: Vec<&str> = fields.collect();
        match key {
            "mod" => {
                main = Some(parse_module(&rest));
                last_is_main = true;
            }
            "dep" => {
                deps.push(parse_module(&rest));
                last_is_main = false;
            }
            "=>" => {
                let m = parse_module(&rest);
                let target = if last_is_main {
                    main.as_mut()
                } else {
                    deps.last_mut()
                };
                if let Some(target) = target {
                    target.replace = Some((m.path, m.version));
                }
            }
            _ => {}
        }
    }

    let mut out = Vec::new();
    if let Some(m) = main.filter(|m| !m.path.is_empty()) {
        let version = if m.version == "(devel)" {
            ""
        } else {
            m.version.as_str()
        };
        let mut pkg = Package::new(m.path.as_str(), version, Ecosystem::Go, path);
        pkg.kind = PackageKind::Application;
        out.push(pkg);
    }
    for dep in deps {
        if dep.path.is_empty() {
            continue;
        }
        let (name, version) = match &dep.replace {
            Some((rpath, rversion)) if !rversion.is_empty() && rversion != "(devel)" => {
                (rpath.clone(), rversion.clone())
            }
            Some(_) => (dep.path.clone(), String::new()),
            None => (dep.path.clone(), dep.version.clone()),
        };
        out.push(Package::new(name, version, Ecosystem::Go, path));
    }
    if let Some(version) = stdlib_version(go_version) {
        let mut pkg = Package::new("stdlib", version, Ecosystem::Go, path);
        pkg.kind = PackageKind::Runtime;
        out.push(pkg);
    }
    out
}

/// `go1.21.3` → `v1.21.3`, `go1.20` → `v1.20.0`, `go1.21rc2` → `v1.21.0-rc.2`,
/// `go1.22.0 X:boringcrypto` → `v1.22.0`; development builds give `None`.
fn stdlib_version(go: &str) -> Option<String> {
    let go = go.split_whitespace().next()?;
    let rest = go.strip_prefix("go")?;
    let split = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (numbers, pre) = rest.split_at(split);
    let mut parts: Vec<&str> = numbers.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    while parts.len() < 3 {
        parts.push("0");
    }
    let mut out = format!("v{}", parts.join("."));
    if !pre.is_empty() {
        let digits = pre.find(|c: char| c.is_ascii_digit()).unwrap_or(pre.len());
        let (word, n) = pre.split_at(digits);
        if word.is_empty() || !word.chars().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        out.push('-');
        out.push_str(word);
        if !n.is_empty() {
            out.push('.');
            out.push_str(n);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/go-binary")
            .join(rel);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    fn summary(pkgs: &[Package]) -> Vec<(&str, &str, PackageKind)> {
        pkgs.iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.kind))
            .collect()
    }

    #[test]
    fn real_binaries_in_three_formats() {
        for rel in [
            "hello-linux-amd64",
            "hello-windows-amd64.exe",
            "hello-darwin-arm64",
        ] {
            let path = format!("usr/local/bin/{rel}");
            let found = GoBinary.catalog(&path, &fixture(rel)).unwrap();
            assert_eq!(
                summary(&found.packages),
                vec![
                    ("example.com/hello", "", PackageKind::Application),
                    ("example.com/greet", "", PackageKind::Library),
                    ("example.com/quote", "v1.5.2", PackageKind::Library),
                    ("stdlib", "v1.19.8", PackageKind::Runtime),
                ],
                "{rel}"
            );
            for p in &found.packages {
                assert_eq!(p.ecosystem, Ecosystem::Go);
                assert_eq!(p.locations[0].path, path);
            }
        }
    }

    #[test]
    fn elf_without_section_headers() {
        // As `sstrip` leaves it: no section header table, only program headers.
        let mut bin = fixture("hello-linux-amd64");
        bin[0x28..0x30].fill(0); // e_shoff
        bin[0x3c..0x40].fill(0); // e_shnum, e_shstrndx
        let found = GoBinary.catalog("x", &bin).unwrap();
        let names: Vec<_> = found.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "example.com/hello",
                "example.com/greet",
                "example.com/quote",
                "stdlib"
            ]
        );
    }

    #[test]
    fn wants_non_empty_executables() {
        let meta = |mode, size| FileMeta {
            path: "usr/bin/x",
            size,
            mode,
        };
        assert!(GoBinary.wants(&meta(0o755, 10)));
        assert!(!GoBinary.wants(&meta(0o644, 10)));
        assert!(!GoBinary.wants(&meta(0o755, 0)));
        assert_eq!(GoBinary.max_size(), 256 * 1024 * 1024);
    }

    #[test]
    fn non_go_and_broken_inputs() {
        assert!(GoBinary
            .catalog("x", b"#!/bin/sh\n")
            .unwrap()
            .packages
            .is_empty());
        assert!(GoBinary.catalog("x", b"\x7fELF").is_err());
        // The header with nothing after it, and lengths pointing past the end.
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&[8, 2]);
        header.resize(HEADER_SIZE, 0);
        assert!(decode(&header, |_, _| None).is_none());
        let mut long = header.clone();
        long.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f, b'g']);
        assert!(decode(&long, |_, _| None).is_none());
        let mut huge = header.clone();
        huge.extend_from_slice(&[0xff; 12]);
        assert!(decode(&huge, |_, _| None).is_none());
        // Every truncation of a real binary: no panic.
        let bin = fixture("hello-linux-amd64");
        for len in [0, 64, 1000, 100_000, bin.len() / 2, bin.len() - 1] {
            let _ = GoBinary.catalog("x", bin.get(..len).unwrap());
        }
    }

    #[test]
    fn pre_118_pointer_format() {
        // Header as written by Go 1.13-1.17 (8-byte little-endian pointers), and a fake memory
        // holding the two string headers and the strings they point to.
        let vers = b"go1.16.15";
        let mut modinfo = vec![0x30; 16];
        modinfo.extend_from_slice(b"path\tex.com/app\nmod\tex.com/app\tv1.2.3\th1:x=\ndep\tgolang.org/x/text\tv0.3.5\th1:y=\n");
        modinfo.extend_from_slice(&[0xf9; 16]);
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&[8, 0]);
        header.extend_from_slice(&0x1000u64.to_le_bytes());
        header.extend_from_slice(&0x1010u64.to_le_bytes());
        let mut mem = vec![0u8; 0x200];
        let put = |mem: &mut Vec<u8>, at: usize, b: &[u8]| mem[at..at + b.len()].copy_from_slice(b);
        put(&mut mem, 0x00, &0x1100u64.to_le_bytes());
        put(&mut mem, 0x08, &(vers.len() as u64).to_le_bytes());
        put(&mut mem, 0x10, &0x1120u64.to_le_bytes());
        put(&mut mem, 0x18, &(modinfo.len() as u64).to_le_bytes());
        put(&mut mem, 0x100, vers);
        put(&mut mem, 0x120, &modinfo);
        let read = |addr: u64, len: u64| {
            let start = usize::try_from(addr.checked_sub(0x1000)?).ok()?;
            mem.get(start..start.checked_add(usize::try_from(len).ok()?)?)
        };
        let (version, text) = decode(&header, read).unwrap();
        assert_eq!(version, "go1.16.15");
        let pkgs = packages(&version, &text, "app");
        assert_eq!(
            summary(&pkgs),
            vec![
                ("ex.com/app", "v1.2.3", PackageKind::Application),
                ("golang.org/x/text", "v0.3.5", PackageKind::Library),
                ("stdlib", "v1.16.15", PackageKind::Runtime),
            ]
        );
    }

    #[test]
    fn module_replacements() {
        let text = "path\tex.com/app\nmod\tex.com/app\t(devel)\t\ndep\tgithub.com/a/b\tv1.0.0\th1:a=\n=>\tgithub.com/fork/b\tv1.0.1\th1:b=\ndep\tex.com/local\tv0.0.0\n=>\t./local\t\t\ndep\t\t(devel)\nbuild\tGOOS=linux\n";
        let pkgs = packages("go1.22.0 X:boringcrypto", text, "app");
        assert_eq!(
            summary(&pkgs),
            vec![
                ("ex.com/app", "", PackageKind::Application),
                ("github.com/fork/b", "v1.0.1", PackageKind::Library),
                ("ex.com/local", "", PackageKind::Library),
                ("stdlib", "v1.22.0", PackageKind::Runtime),
            ]
        );
    }

    #[test]
    fn go_versions() {
        assert_eq!(stdlib_version("go1.21.3").as_deref(), Some("v1.21.3"));
        assert_eq!(stdlib_version("go1.20").as_deref(), Some("v1.20.0"));
        assert_eq!(stdlib_version("go1.21rc2").as_deref(), Some("v1.21.0-rc.2"));
        assert_eq!(
            stdlib_version("go1.18beta1").as_deref(),
            Some("v1.18.0-beta.1")
        );
        assert_eq!(
            stdlib_version("go1.22.0 X:boringcrypto").as_deref(),
            Some("v1.22.0")
        );
        assert_eq!(stdlib_version("devel go1.22-abcdef Tue"), None);
        assert_eq!(stdlib_version(""), None);
        assert_eq!(stdlib_version("go"), None);
        assert_eq!(stdlib_version("go1..2"), None);
    }
}
