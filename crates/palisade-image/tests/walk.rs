//! The layer walker on crafted, hostile and ordinary layers: whiteouts, hard links, digests,
//! escapes, truncation and decompression bombs. Every failure must be a clear error.

use std::collections::BTreeMap;
use std::io::Write;

use palisade_image::{
    BlobLocation, FileEntry, ImageError, Layer, LayerChanges, LayerVisitor, LayeredView, WalkLimits,
};
use sha2::{Digest, Sha256};

/// A raw ustar header, written by hand so that hostile names (`..`, absolute, non-UTF-8) can be
/// produced, which `tar::Builder` refuses to write.
fn header(name: &[u8], kind: u8, size: usize, link: &[u8], mode: u32) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name);
    h[100..108].copy_from_slice(format!("{mode:07o}\0").as_bytes());
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

enum E<'a> {
    File(&'a [u8], &'a [u8]),
    Exec(&'a [u8], &'a [u8]),
    Dir(&'a [u8]),
    Symlink(&'a [u8], &'a [u8]),
    Hardlink(&'a [u8], &'a [u8]),
}

fn tar(entries: &[E<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        match e {
            E::File(name, data) | E::Exec(name, data) => {
                let mode = if matches!(e, E::Exec(..)) {
                    0o755
                } else {
                    0o644
                };
                out.extend_from_slice(&header(name, b'0', data.len(), b"", mode));
                out.extend_from_slice(data);
                out.resize(out.len().div_ceil(512) * 512, 0);
            }
            E::Dir(name) => out.extend_from_slice(&header(name, b'5', 0, b"", 0o755)),
            E::Symlink(name, target) => {
                out.extend_from_slice(&header(name, b'2', 0, target, 0o777))
            }
            E::Hardlink(name, target) => {
                out.extend_from_slice(&header(name, b'1', 0, target, 0o644))
            }
        }
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

fn sha(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A layer whose blob (as given) lives in a temp file; diff id = sha of the uncompressed tar.
fn layer(dir: &tempfile::TempDir, name: &str, blob: &[u8], uncompressed: &[u8]) -> Layer {
    let path = dir.path().join(name);
    std::fs::write(&path, blob).unwrap();
    Layer {
        diff_id: sha(uncompressed),
        digest: Some(sha(blob)),
        blob: BlobLocation::File(path),
        created_by: None,
    }
}

/// Wants everything under `want/` and records what it received.
#[derive(Debug, Default)]
struct Recorder {
    received: BTreeMap<String, (Vec<u8>, u32)>,
    offered: Vec<String>,
}

impl LayerVisitor for Recorder {
    fn wants(&mut self, file: &FileEntry<'_>) -> bool {
        self.offered.push(file.path.to_string());
        file.path.starts_with("want/")
    }
    fn file(&mut self, file: &FileEntry<'_>, content: &[u8]) {
        self.received
            .insert(file.path.to_string(), (content.to_vec(), file.mode));
    }
}

fn walk(layer: &Layer) -> Result<(LayerChanges, Recorder), ImageError> {
    let mut rec = Recorder::default();
    let changes = layer.walk(&mut rec, WalkLimits::default())?;
    Ok((changes, rec))
}

#[test]
fn reads_only_wanted_files_and_records_links_and_whiteouts() {
    let dir = tempfile::tempdir().unwrap();
    let t = tar(&[
        E::Dir(b"./want/"),
        E::File(b"./want/a.txt", b"alpha"),
        E::Exec(b"./want/bin", b"\x7fELF"),
        E::File(b"./other/b.txt", b"beta"),
        E::Hardlink(b"want/linked", b"other/b.txt"),
        E::Symlink(b"want/sym", b"../other/b.txt"),
        E::File(b"old/.wh.gone", b""),
        E::File(b"opq/.wh..wh..opq", b""),
        E::File(b"caf\xe9/\xff.txt", b"not utf-8"),
    ]);
    let l = layer(&dir, "plain", &t, &t);
    let (changes, rec) = walk(&l).unwrap();
    assert_eq!(rec.received["want/a.txt"].0, b"alpha");
    assert_eq!(rec.received["want/bin"].1 & 0o111, 0o111);
    // The hard link delivers its target's content under its own name.
    assert_eq!(rec.received["want/linked"].0, b"beta");
    assert!(!rec.received.contains_key("other/b.txt"));
    assert_eq!(changes.symlinks["want/sym"], "../other/b.txt");
    assert_eq!(changes.whiteouts, vec!["old/gone".to_string()]);
    assert_eq!(changes.opaque_dirs, vec!["opq".to_string()]);
    assert!(rec.offered.iter().any(|p| p.starts_with("caf")));
}

#[test]
fn gzip_layers_verify_digest_and_diff_id() {
    let dir = tempfile::tempdir().unwrap();
    let t = tar(&[E::File(b"want/x", b"x")]);
    let gz = gzip(&t);
    let ok = layer(&dir, "gz", &gz, &t);
    assert!(walk(&ok).is_ok());

    let mut wrong_digest = ok.clone();
    wrong_digest.digest = Some(sha(b"something else"));
    assert!(matches!(
        walk(&wrong_digest),
        Err(ImageError::DigestMismatch { .. })
    ));

    let mut wrong_diff = ok.clone();
    wrong_diff.diff_id = sha(b"another tar");
    let err = walk(&wrong_diff).unwrap_err();
    assert!(err.to_string().contains("diff id"), "{err}");
}

#[test]
fn escaping_and_absolute_paths_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    for name in [&b"../etc/passwd"[..], b"a/../../etc/shadow", b"/etc/passwd"] {
        let t = tar(&[E::File(name, b"root::0:0")]);
        let l = layer(&dir, "escape", &t, &t);
        let err = walk(&l).unwrap_err();
        assert!(matches!(err, ImageError::PathEscape { .. }), "{err}");
        assert!(err.to_string().contains("escapes the image root"));
    }
}

#[test]
fn truncated_and_corrupt_layers_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let t = tar(&[E::File(b"want/big", &[7u8; 4000])]);
    let cut = &t[..1500];
    let l = layer(&dir, "cut", cut, cut);
    assert!(walk(&l).is_err());

    let gz = gzip(&t);
    let cut_gz = &gz[..gz.len() / 2];
    let l = layer(&dir, "cutgz", cut_gz, &t);
    assert!(walk(&l).is_err());

    let mut garbage = gzip(&t);
    let mid = garbage.len() / 2;
    garbage[mid] ^= 0xff;
    let l = layer(&dir, "garbage", &garbage, &t);
    assert!(walk(&l).is_err());
}

#[test]
fn decompression_bombs_stop_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = vec![0u8; 64 << 20];
    let mut t = header(b"want/zeros", b'0', zeros.len(), b"", 0o644).to_vec();
    t.extend_from_slice(&zeros);
    let gz = gzip(&t);
    assert!(gz.len() < 1 << 20);
    let l = layer(&dir, "bomb", &gz, &t);
    let mut rec = Recorder::default();
    let limits = WalkLimits {
        max_ratio: 10,
        min_uncompressed: 1 << 20,
    };
    let err = l.walk(&mut rec, limits).unwrap_err();
    assert!(matches!(err, ImageError::DecompressionBomb { .. }), "{err}");
}

#[test]
fn layered_view_applies_real_whiteouts() {
    let dir = tempfile::tempdir().unwrap();
    let lower = tar(&[
        E::File(b"want/keep", b"1"),
        E::File(b"want/gone", b"2"),
        E::File(b"want/opq/inner", b"3"),
    ]);
    let upper = tar(&[
        E::File(b"want/.wh.gone", b""),
        E::File(b"want/opq/.wh..wh..opq", b""),
    ]);
    let mut view = LayeredView::default();
    for (i, bytes) in [lower, upper].iter().enumerate() {
        let l = layer(&dir, &format!("l{i}"), bytes, bytes);
        let (changes, rec) = walk(&l).unwrap();
        view.apply(i, &changes, rec.received);
    }
    let visible: Vec<&str> = view.files().map(|(p, _, _)| p).collect();
    assert_eq!(visible, vec!["want/keep"]);
}
