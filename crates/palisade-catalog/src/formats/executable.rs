//! Executables (ELF, Mach-O, PE): find a named section and read bytes by virtual address,
//! for the catalogers that read metadata compiled into binaries (`go-binary`, `rust-audit`).
//!
//! Parsing is done by the `object` crate, which bounds-checks every read; this module adds a
//! cheap magic-number check so that scripts and data files marked executable are rejected
//! without parsing, and caps on how much a caller may read.
//!
//! Universal ("fat") Mach-O files and COFF objects are not read.

use object::{Object, ObjectSection, ObjectSegment};

/// The executable formats we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Elf,
    MachO,
    Pe,
}

/// The format of `content` from its first bytes, without parsing it.
pub fn sniff(content: &[u8]) -> Option<Format> {
    match content.get(..4)? {
        [0x7f, b'E', b'L', b'F'] => Some(Format::Elf),
        // MH_MAGIC, MH_MAGIC_64 in either byte order.
        [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => Some(Format::MachO),
        [b'M', b'Z', _, _] => Some(Format::Pe),
        _ => None,
    }
}

/// A parsed executable. Cheap to make; borrows the file's bytes.
pub struct Executable<'data> {
    file: object::File<'data>,
}

impl<'data> Executable<'data> {
    /// `Ok(None)` when `content` is not an ELF, Mach-O or PE file at all (a script, data);
    /// `Err` when it claims to be one but its headers are broken.
    pub fn parse(content: &'data [u8]) -> Result<Option<Self>, String> {
        if sniff(content).is_none() {
            return Ok(None);
        }
        match object::File::parse(content) {
            Ok(file) => Ok(Some(Self { file })),
            Err(e) => Err(format!("unreadable executable: {e}")),
        }
    }

    /// The raw (file) bytes of the first section called `name` (the Mach-O section name, without
    /// its segment, e.g. `__go_buildinfo`), if it exists and has file contents.
    pub fn section(&self, name: &str) -> Option<&'data [u8]> {
        self.file
            .sections()
            .find(|s| s.name_bytes().ok() == Some(name.as_bytes()))
            .and_then(|s| s.data().ok())
            .filter(|d| !d.is_empty())
    }

    /// The file bytes of every section holding initialised writable data (ELF `.data`, Mach-O
    /// `__data`, PE `.data`), in file order.
    pub fn data_sections(&self) -> Vec<&'data [u8]> {
        self.file
            .sections()
            .filter(|s| s.kind() == object::SectionKind::Data)
            .filter_map(|s| s.data().ok())
            .filter(|d| !d.is_empty())
            .collect()
    }

    /// Whether the file has a section table at all (stripped ELF files may have none).
    pub fn has_sections(&self) -> bool {
        self.file.sections().next().is_some()
    }

    /// The file bytes of every loadable segment, in file order: the fallback for binaries
    /// whose section headers were removed (`sstrip`, some packers).
    pub fn segments(&self) -> Vec<&'data [u8]> {
        self.file
            .segments()
            .filter_map(|s| s.data().ok())
            .filter(|d| !d.is_empty())
            .collect()
    }

    /// `len` bytes at virtual address `address`, if some section holds all of them in the file.
    /// `len` is capped by `max` so a corrupt length cannot ask for more.
    pub fn read_at(&self, address: u64, len: u64, max: u64) -> Option<&'data [u8]> {
        if len > max {
            return None;
        }
        self.file
            .sections()
            .find_map(|s| s.data_range(address, len).ok().flatten())
            .or_else(|| {
                self.file
                    .segments()
                    .find_map(|s| s.data_range(address, len).ok().flatten())
            })
    }

    pub fn is_little_endian(&self) -> bool {
        self.file.is_little_endian()
    }

    pub fn is_64(&self) -> bool {
        self.file.is_64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    #[test]
    fn sniffs_formats() {
        assert_eq!(sniff(b"\x7fELF\x02"), Some(Format::Elf));
        assert_eq!(sniff(&[0xcf, 0xfa, 0xed, 0xfe]), Some(Format::MachO));
        assert_eq!(sniff(b"MZ\x90\x00"), Some(Format::Pe));
        assert_eq!(sniff(b"#!/bin/sh\n"), None);
        assert_eq!(sniff(b"MZ"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn finds_sections_in_each_format() {
        for (rel, name) in [
            ("go-binary/hello-linux-amd64", ".go.buildinfo"),
            ("go-binary/hello-darwin-arm64", "__go_buildinfo"),
        ] {
            let bytes = fixture(rel);
            let exe = Executable::parse(&bytes).unwrap().unwrap();
            let data = exe
                .section(name)
                .unwrap_or_else(|| panic!("{rel}: no {name}"));
            assert!(data.starts_with(b"\xff Go buildinf:"), "{rel}");
        }
        let bytes = fixture("go-binary/hello-windows-amd64.exe");
        let exe = Executable::parse(&bytes).unwrap().unwrap();
        assert!(exe.section(".go.buildinfo").is_none());
        assert!(!exe.data_sections().is_empty());
        assert!(exe.is_little_endian() && exe.is_64());
    }

    #[test]
    fn broken_and_foreign_inputs() {
        assert!(Executable::parse(b"#!/bin/sh\necho hi\n")
            .unwrap()
            .is_none());
        assert!(Executable::parse(b"\x7fELF\x02\x01\x01").is_err());
        assert!(Executable::parse(b"MZ\0\0\0\0\0\0").is_err());
        let mut truncated = fixture("go-binary/hello-linux-amd64");
        truncated.truncate(4096);
        // Either an error or a file whose sections read as absent: never a panic.
        if let Ok(Some(exe)) = Executable::parse(&truncated) {
            let _ = exe.section(".go.buildinfo");
            let _ = exe.read_at(0x400000, 16, 1024);
        }
    }
}
