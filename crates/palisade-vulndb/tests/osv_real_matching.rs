//! Matching against the real OSV data in ../shared/data: the test image's old Python packages
//! get exactly the advisories whose ranges cover them, and a Go toolchain version gets the
//! Go standard-library advisories fixed after it.

use palisade_vulndb::feed::osv_zip::read_all;
use palisade_vulndb::matcher::matching;
use palisade_vulndb::osv::Record;

fn load(ecosystem: &str) -> Vec<Record> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/osv")
        .join(ecosystem)
        .join("all.zip");
    read_all(std::fs::File::open(&path).unwrap())
        .unwrap()
        .records
}

fn ids(
    records: &[Record],
    ecosystem: &str,
    name: &str,
    version: &str,
) -> Vec<(String, Option<String>)> {
    let mut out: Vec<_> = matching(records, ecosystem, name, version)
        .into_iter()
        .map(|m| (m.record.id.clone(), m.fixed))
        .collect();
    out.sort();
    out
}

#[test]
fn old_python_packages_get_the_advisories_whose_ranges_cover_them() {
    let pypi = load("PyPI");
    let requests = ids(&pypi, "PyPI", "requests", "2.19.0");
    assert!(
        requests.contains(&("PYSEC-2018-28".into(), Some("2.20.0".into()))),
        "{requests:?}"
    );
    let fixed = ids(&pypi, "PyPI", "requests", "2.20.0");
    assert!(
        !fixed.iter().any(|(id, _)| id == "PYSEC-2018-28"),
        "{fixed:?}"
    );

    // PyYAML 5.3: in [5.1, 5.3.1) and [0, 5.4), not in [5.1, 5.2b1) nor [0, 5.1).
    let pyyaml = ids(&pypi, "PyPI", "PyYAML", "5.3");
    assert!(
        pyyaml.contains(&("PYSEC-2020-96".into(), Some("5.3.1".into()))),
        "{pyyaml:?}"
    );
    assert!(
        pyyaml.contains(&("PYSEC-2021-142".into(), Some("5.4".into()))),
        "{pyyaml:?}"
    );
    assert!(!pyyaml
        .iter()
        .any(|(id, _)| id == "PYSEC-2020-176" || id == "PYSEC-2018-49"));

    let urllib3 = ids(&pypi, "PyPI", "urllib3", "1.24.1");
    assert!(
        urllib3.contains(&("PYSEC-2019-133".into(), Some("1.24.2".into()))),
        "{urllib3:?}"
    );

    // A version newer than every advisory has none.
    assert!(ids(&pypi, "PyPI", "urllib3", "99.0").is_empty());
}

#[test]
fn an_old_go_toolchain_gets_the_standard_library_advisories() {
    let go = load("Go");
    let stdlib = ids(&go, "Go", "stdlib", "v1.19.8");
    for id in ["GO-2023-1751", "GO-2023-1752", "GO-2023-1753"] {
        assert!(
            stdlib.contains(&(id.into(), Some("1.19.9".into()))),
            "{id} missing: {stdlib:?}"
        );
    }
    let newer = ids(&go, "Go", "stdlib", "v1.19.9");
    assert!(
        !newer.iter().any(|(id, _)| id == "GO-2023-1751"),
        "{newer:?}"
    );
}
