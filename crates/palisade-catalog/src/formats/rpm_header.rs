//! The rpm header blob: the record an rpm database keeps for every installed package.
//!
//! Both rpm database back-ends (SQLite `rpmdb.sqlite`, BerkeleyDB `Packages`) store one header
//! per package, in the same big-endian layout (rpm's `headerImport`):
//!
//! ```text
//! il: u32        number of index entries
//! dl: u32        length of the data store in bytes
//! il × entry     16 bytes each: tag i32, type u32, offset i32, count u32
//! dl bytes       data store; an entry's value starts at `offset` inside it
//! ```
//!
//! Headers read from `.rpm` files carry an 8-byte prefix (magic `8e ad e8 01` and 4 reserved
//! bytes); it is skipped when present. Every offset and count is checked against the blob, and
//! nothing is allocated in proportion to a count the blob declares, so a hostile header costs
//! at most a scan over its own bytes.
//!
//! References: rpm's `lib/header.c` and `include/rpm/rpmtag.h`; the "RPM file format" chapter
//! of Maximum RPM.

use palisade_model::{Ecosystem, Package};

/// rpm's own limits (`hdrblobVerifyInfo`): at most this many index entries…
const MAX_ENTRIES: usize = 0xffff;
/// …and at most this many bytes of data.
const MAX_DATA: usize = 0x0fff_ffff;
const ENTRY_SIZE: usize = 16;
const HEADER_MAGIC: [u8; 4] = [0x8e, 0xad, 0xe8, 0x01];

pub const TAG_NAME: i32 = 1000;
pub const TAG_VERSION: i32 = 1001;
pub const TAG_RELEASE: i32 = 1002;
pub const TAG_EPOCH: i32 = 1003;
pub const TAG_LICENSE: i32 = 1014;
pub const TAG_ARCH: i32 = 1022;
pub const TAG_SOURCERPM: i32 = 1044;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// A header blob that is not a valid rpm header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rpm header: {0}")]
pub struct HeaderError(pub String);

fn err(msg: impl Into<String>) -> HeaderError {
    HeaderError(msg.into())
}

/// One index entry.
#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: i32,
    ty: u32,
    offset: usize,
    count: u32,
}

/// A checked view of a header blob.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    index: &'a [u8],
    data: &'a [u8],
}

impl<'a> Header<'a> {
    /// Checks the header's framing: counts within rpm's limits and within the blob.
    pub fn parse(blob: &'a [u8]) -> Result<Self, HeaderError> {
        let blob = match blob.get(..4) {
            Some(m) if m == HEADER_MAGIC => blob.get(8..).unwrap_or_default(),
            _ => blob,
        };
        let il = be_u32(blob, 0).ok_or_else(|| err("shorter than 8 bytes"))? as usize;
        let dl = be_u32(blob, 4).ok_or_else(|| err("shorter than 8 bytes"))? as usize;
        if il == 0 || il > MAX_ENTRIES {
            return Err(err(format!("index entry count {il} out of range")));
        }
        if dl > MAX_DATA {
            return Err(err(format!("data length {dl} out of range")));
        }
        let index_end = 8 + il * ENTRY_SIZE;
        let data_end = index_end + dl;
        if data_end > blob.len() {
            return Err(err(format!(
                "{il} entries and {dl} data bytes need {data_end} bytes, blob has {}",
                blob.len()
            )));
        }
        Ok(Self {
            index: blob.get(8..index_end).unwrap_or_default(),
            data: blob.get(index_end..data_end).unwrap_or_default(),
        })
    }

    fn entries(&self) -> impl Iterator<Item = Entry> + 'a {
        self.index.chunks_exact(ENTRY_SIZE).filter_map(|e| {
            Some(Entry {
                tag: be_u32(e, 0)? as i32,
                ty: be_u32(e, 4)?,
                offset: be_u32(e, 8)? as usize,
                count: be_u32(e, 12)?,
            })
        })
    }

    fn find(&self, tag: i32) -> Option<Entry> {
        self.entries().find(|e| e.tag == tag)
    }

    /// The first string of a string-typed tag; `Ok(None)` when the tag is absent.
    pub fn string(&self, tag: i32) -> Result<Option<String>, HeaderError> {
        let Some(entry) = self.find(tag) else {
            return Ok(None);
        };
        if !matches!(entry.ty, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) {
            return Err(err(format!(
                "tag {tag} has type {}, not a string",
                entry.ty
            )));
        }
        if entry.count == 0 {
            return Err(err(format!("tag {tag} has no value")));
        }
        let rest = self
            .data
            .get(entry.offset..)
            .ok_or_else(|| err(format!("tag {tag}: offset {} outside data", entry.offset)))?;
        let len = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| err(format!("tag {tag}: string not terminated")))?;
        let bytes = rest.get(..len).unwrap_or_default();
        Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
    }

    /// The first value of an INT32 tag; `Ok(None)` when the tag is absent.
    pub fn int32(&self, tag: i32) -> Result<Option<u32>, HeaderError> {
        let Some(entry) = self.find(tag) else {
            return Ok(None);
        };
        if entry.ty != TYPE_INT32 || entry.count == 0 {
            return Err(err(format!("tag {tag} is not an INT32 value")));
        }
        be_u32(self.data, entry.offset)
            .map(Some)
            .ok_or_else(|| err(format!("tag {tag}: offset {} outside data", entry.offset)))
    }
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(b.try_into().ok()?))
}

/// Turns a header into a package found at `path`; `Ok(None)` for the `gpg-pubkey` pseudo
/// packages that `rpm --import` records for trusted signing keys.
pub fn package_from_header(blob: &[u8], path: &str) -> Result<Option<Package>, HeaderError> {
    let header = Header::parse(blob)?;
    let name = header
        .string(TAG_NAME)?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| err("no NAME"))?;
    if name == "gpg-pubkey" {
        return Ok(None);
    }
    let version = header
        .string(TAG_VERSION)?
        .ok_or_else(|| err("no VERSION"))?;
    let release = header.string(TAG_RELEASE)?;
    let epoch = header.int32(TAG_EPOCH)?;
    let full = evr(epoch, &version, release.as_deref());
    let mut pkg = Package::new(name, full, Ecosystem::Rpm, path);
    pkg.arch = header.string(TAG_ARCH)?.filter(|a| !a.is_empty());
    if let Some(license) = header.string(TAG_LICENSE)?.filter(|l| !l.is_empty()) {
        pkg.licenses.push(license);
    }
    if let Some(srpm) = header.string(TAG_SOURCERPM)? {
        if let Some((src_name, src_version, src_release)) = split_source_rpm(&srpm) {
            pkg.source_name = Some(src_name.to_string());
            pkg.source_version = Some(evr(epoch, src_version, Some(src_release)));
        }
    }
    Ok(Some(pkg))
}

/// `[epoch:]version[-release]`; an epoch that is present is always written, even `0`, as
/// `rpm -q --qf '%|EPOCH?{%{EPOCH}:}:{}|…'` does.
fn evr(epoch: Option<u32>, version: &str, release: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(epoch) = epoch {
        out.push_str(&epoch.to_string());
        out.push(':');
    }
    out.push_str(version);
    if let Some(release) = release.filter(|r| !r.is_empty()) {
        out.push('-');
        out.push_str(release);
    }
    out
}

/// `openssl-3.0.7-27.el9.src.rpm` → (`openssl`, `3.0.7`, `27.el9`).
pub fn split_source_rpm(srpm: &str) -> Option<(&str, &str, &str)> {
    let stem = srpm
        .strip_suffix(".src.rpm")
        .or_else(|| srpm.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some((name, version, release))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a header blob from (tag, type, payload, count) entries.
    fn blob(entries: &[(i32, u32, Vec<u8>, u32)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, ty, payload, count) in entries {
            if *ty == TYPE_INT32 {
                while data.len() % 4 != 0 {
                    data.push(0);
                }
            }
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&ty.to_be_bytes());
            index.extend_from_slice(&(data.len() as u32).to_be_bytes());
            index.extend_from_slice(&count.to_be_bytes());
            data.extend_from_slice(payload);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(&index);
        out.extend_from_slice(&data);
        out
    }

    fn s(v: &str) -> Vec<u8> {
        let mut b = v.as_bytes().to_vec();
        b.push(0);
        b
    }

    #[test]
    fn reads_the_package_fields() {
        let b = blob(&[
            (TAG_NAME, TYPE_STRING, s("openssl-libs"), 1),
            (TAG_VERSION, TYPE_STRING, s("3.0.7"), 1),
            (TAG_RELEASE, TYPE_STRING, s("27.el9"), 1),
            (TAG_EPOCH, TYPE_INT32, 1u32.to_be_bytes().to_vec(), 1),
            (TAG_LICENSE, TYPE_STRING, s("ASL 2.0"), 1),
            (TAG_ARCH, TYPE_STRING, s("x86_64"), 1),
            (
                TAG_SOURCERPM,
                TYPE_STRING,
                s("openssl-3.0.7-27.el9.src.rpm"),
                1,
            ),
        ]);
        let p = package_from_header(&b, "var/lib/rpm/rpmdb.sqlite")
            .unwrap()
            .unwrap();
        assert_eq!(p.name, "openssl-libs");
        assert_eq!(p.version, "1:3.0.7-27.el9");
        assert_eq!(p.arch.as_deref(), Some("x86_64"));
        assert_eq!(p.licenses, vec!["ASL 2.0".to_string()]);
        assert_eq!(p.source_name.as_deref(), Some("openssl"));
        assert_eq!(p.source_version.as_deref(), Some("1:3.0.7-27.el9"));
    }

    #[test]
    fn skips_gpg_pubkey() {
        let b = blob(&[
            (TAG_NAME, TYPE_STRING, s("gpg-pubkey"), 1),
            (TAG_VERSION, TYPE_STRING, s("fd431d51"), 1),
        ]);
        assert_eq!(package_from_header(&b, "x").unwrap(), None);
    }

    #[test]
    fn hostile_headers_are_errors_not_panics() {
        // Declares a huge index.
        let mut b = vec![0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];
        assert!(Header::parse(&b).is_err());
        // Declares more data than present.
        b = vec![0, 0, 0, 1, 0, 0, 0x10, 0];
        b.extend_from_slice(&[0; 16]);
        assert!(Header::parse(&b).is_err());
        // Offset outside the data store, and an unterminated string.
        let mut ok = blob(&[(TAG_NAME, TYPE_STRING, b"abc".to_vec(), 1)]);
        assert!(package_from_header(&ok, "x").is_err());
        ok[8 + 8..8 + 12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(package_from_header(&ok, "x").is_err());
        // Epoch offset at the very end of data.
        let e = blob(&[
            (TAG_NAME, TYPE_STRING, s("a"), 1),
            (TAG_VERSION, TYPE_STRING, s("1"), 1),
            (TAG_EPOCH, TYPE_INT32, vec![0, 0], 1),
        ]);
        assert!(package_from_header(&e, "x").is_err());
        // Every truncation of a valid header fails cleanly.
        let full = blob(&[
            (TAG_NAME, TYPE_STRING, s("a"), 1),
            (TAG_VERSION, TYPE_STRING, s("1"), 1),
        ]);
        for n in 0..full.len() {
            let _ = package_from_header(&full[..n], "x");
        }
        assert!(package_from_header(&full, "x").unwrap().is_some());
    }

    #[test]
    fn source_rpm_names() {
        assert_eq!(
            split_source_rpm("glibc-2.34-60.el9.src.rpm"),
            Some(("glibc", "2.34", "60.el9"))
        );
        assert_eq!(
            split_source_rpm("python3.11-3.11.5-1.el9.src.rpm"),
            Some(("python3.11", "3.11.5", "1.el9"))
        );
        assert_eq!(split_source_rpm("(none)"), None);
        assert_eq!(split_source_rpm("x.src.rpm"), None);
    }
}
