//! The OSV all.zip reader on the real PyPI and Go data, and on hostile archives.

use std::io::{Cursor, Write};

use palisade_vulndb::feed::osv_zip::{read_all, MAX_RECORD_BYTES};

fn shared(path: &str) -> std::fs::File {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(path);
    std::fs::File::open(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn real_pypi_and_go_feeds_load_completely() {
    let pypi = read_all(shared("osv/PyPI/all.zip")).unwrap();
    assert_eq!(
        pypi.records.len(),
        2661,
        "skipped: {:?}",
        &pypi.skipped[..pypi.skipped.len().min(5)]
    );
    assert!(pypi.skipped.is_empty());
    let requests = pypi
        .records
        .iter()
        .find(|r| r.id == "PYSEC-2018-28")
        .unwrap();
    assert!(requests.aliases.iter().any(|a| a.starts_with("CVE-")));
    let go = read_all(shared("osv/Go/all.zip")).unwrap();
    assert_eq!(go.records.len(), 4291);
    assert!(go.skipped.is_empty());
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, data) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn bad_entries_are_counted_and_skipped_never_fatal() {
    let good = br#"{"id":"X-1","affected":[{"package":{"ecosystem":"PyPI","name":"a"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#;
    let big = vec![b' '; MAX_RECORD_BYTES as usize + 10];
    let bytes = zip_of(&[
        ("X-1.json", good),
        ("broken.json", b"{\"id\": 12"),
        ("../../etc/evil.json", good),
        ("README.md", b"hello"),
        ("big.json", &big),
        ("wrong-shape.json", br#"{"id":"X-2","affected":"nope"}"#),
    ]);
    let load = read_all(Cursor::new(bytes)).unwrap();
    assert_eq!(load.records.len(), 1);
    assert_eq!(load.records[0].id, "X-1");
    let skipped: Vec<&str> = load.skipped.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(skipped.len(), 5, "{:?}", load.skipped);
    assert!(skipped.contains(&"../../etc/evil.json"));
    assert!(read_all(Cursor::new(b"not a zip".to_vec())).is_err());
}
