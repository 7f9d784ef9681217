//! The on-disk store end to end: `update` from local sources (the real OSV, KEV and Alpine
//! data in ../shared/data plus the real-shaped fixtures), incremental re-runs, failure
//! handling, and scans through the store.

use std::path::{Path, PathBuf};

use palisade_model::{Ecosystem, FixStatus, Inventory, OsFamily, OsInfo, Package, Severity};
use palisade_vulndb::store::Store;
use palisade_vulndb::update::{update, FeedOutcome, Fetcher, UpdateOptions};

fn shared(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(path)
        .to_string_lossy()
        .into_owned()
}

fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
        .to_string_lossy()
        .into_owned()
}

/// Local sources never reach the fetcher: this one fails the test if they do.
struct NoNetwork;
impl Fetcher for NoNetwork {
    fn fetch(
        &self,
        url: &str,
        _: &palisade_vulndb::update::Validators,
        _: &mut std::fs::File,
    ) -> Result<palisade_vulndb::update::FetchOutcome, palisade_vulndb::update::FetchError> {
        panic!("unexpected download of {url}");
    }
}

fn options(sources: &[(&str, String)]) -> UpdateOptions {
    UpdateOptions {
        feeds: sources.iter().map(|(n, _)| n.to_string()).collect(),
        sources: sources
            .iter()
            .map(|(n, s)| (n.to_string(), s.clone()))
            .collect(),
    }
}

fn outcome<'a>(outcomes: &'a [FeedOutcome], name: &str) -> &'a FeedOutcome {
    outcomes.iter().find(|o| o.name == name).unwrap()
}

fn all_sources() -> Vec<(&'static str, String)> {
    vec![
        ("osv-pypi", shared("osv/PyPI/all.zip")),
        ("osv-go", shared("osv/Go/all.zip")),
        ("kev", shared("kev/known_exploited_vulnerabilities.json")),
        ("debian-tracker", fixture("debian-tracker/bookworm.json")),
        ("alpine-secdb", shared("alpine-secdb")),
        ("nvd", fixture("nvd")),
        ("epss", fixture("epss/epss_scores-sample.csv.gz")),
    ]
}

fn build(dir: &Path) -> Vec<FeedOutcome> {
    update(dir, &options(&all_sources()), &NoNetwork).unwrap()
}

fn os(family: OsFamily, version: &str) -> OsInfo {
    OsInfo {
        family,
        id: String::new(),
        version_id: version.into(),
        codename: None,
        pretty_name: String::new(),
        source_path: String::new(),
    }
}

fn inventory(os: Option<OsInfo>, packages: Vec<Package>) -> Inventory {
    let mut inventory: Inventory = serde_json::from_value(serde_json::json!({
        "source": "test",
        "artifact": {"name": "test", "kind": "directory", "layers": []},
        "packages": []
    }))
    .unwrap();
    inventory.os = os;
    inventory.packages = packages;
    inventory
}

fn deb(name: &str, source: &str, version: &str) -> Package {
    let mut p = Package::new(name, version, Ecosystem::Deb, "var/lib/dpkg/status");
    p.source_name = Some(source.into());
    p.source_version = Some(version.into());
    p
}

#[test]
fn builds_from_local_sources_and_counts_every_feed() {
    let dir = tempfile::tempdir().unwrap();
    let outcomes = build(dir.path());
    for o in &outcomes {
        assert_eq!(o.result, "updated", "{o:?}");
    }
    assert!(outcome(&outcomes, "osv-pypi").records > 2000);
    assert!(outcome(&outcomes, "osv-go").records > 4000);
    assert!(outcome(&outcomes, "kev").records > 1000);
    assert!(outcome(&outcomes, "alpine-secdb").records > 5000);
    assert_eq!(outcome(&outcomes, "nvd").records, 2);
    assert_eq!(outcome(&outcomes, "nvd").skipped, 1);
    assert_eq!(outcome(&outcomes, "epss").records, 4);
    let store = Store::open(dir.path()).unwrap();
    let feeds = store.feeds().unwrap();
    assert_eq!(feeds.len(), outcomes.len());
    assert!(feeds.iter().all(|f| !f.updated_at.is_empty()));
    assert!(feeds
        .iter()
        .find(|f| f.name == "osv-pypi")
        .unwrap()
        .sha256
        .is_some());
    // No building leftovers beside the database.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("building")), "{names:?}");
}

#[test]
fn a_second_update_copies_unchanged_feeds_and_reingests_changed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let kev_copy = scratch.path().join("kev.json");
    std::fs::copy(
        shared("kev/known_exploited_vulnerabilities.json"),
        &kev_copy,
    )
    .unwrap();
    let sources = vec![
        ("osv-pypi", shared("osv/PyPI/all.zip")),
        ("kev", kev_copy.to_string_lossy().into_owned()),
    ];
    update(dir.path(), &options(&sources), &NoNetwork).unwrap();
    let before = Store::open(dir.path()).unwrap().counts().unwrap();
    let again = update(dir.path(), &options(&sources), &NoNetwork).unwrap();
    assert!(again.iter().all(|o| o.result == "unchanged"), "{again:?}");
    assert_eq!(Store::open(dir.path()).unwrap().counts().unwrap(), before);
    // Change the KEV file: only it is re-read.
    let mut kev: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&kev_copy).unwrap()).unwrap();
    kev["vulnerabilities"].as_array_mut().unwrap().truncate(10);
    std::fs::write(&kev_copy, serde_json::to_vec(&kev).unwrap()).unwrap();
    let third = update(dir.path(), &options(&sources), &NoNetwork).unwrap();
    assert_eq!(outcome(&third, "osv-pypi").result, "unchanged");
    assert_eq!(outcome(&third, "kev").result, "updated");
    assert_eq!(outcome(&third, "kev").records, 10);
    // Updating only KEV carries PyPI over untouched.
    let only_kev = update(dir.path(), &options(&sources[1..]), &NoNetwork).unwrap();
    assert_eq!(outcome(&only_kev, "osv-pypi").result, "carried");
    let store = Store::open(dir.path()).unwrap();
    let counts = store.counts().unwrap();
    assert_eq!(counts[0], before[0], "advisories kept");
}

#[test]
fn a_broken_feed_keeps_its_previous_rows_and_the_rest_still_updates() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let kev_copy = scratch.path().join("kev.json");
    std::fs::copy(
        shared("kev/known_exploited_vulnerabilities.json"),
        &kev_copy,
    )
    .unwrap();
    let sources = vec![
        ("osv-go", shared("osv/Go/all.zip")),
        ("kev", kev_copy.to_string_lossy().into_owned()),
    ];
    update(dir.path(), &options(&sources), &NoNetwork).unwrap();
    std::fs::write(&kev_copy, b"{ this is not json").unwrap();
    let outcomes = update(dir.path(), &options(&sources), &NoNetwork).unwrap();
    let kev = outcome(&outcomes, "kev");
    assert_eq!(kev.result, "kept");
    assert!(kev.error.as_deref().unwrap().contains("KEV"), "{kev:?}");
    let store = Store::open(dir.path()).unwrap();
    use palisade_vulndb::Enrichment;
    assert!(
        store.kev("CVE-2021-44228").is_some(),
        "previous KEV rows kept"
    );
}

#[test]
fn an_interrupted_build_leaves_the_previous_database_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let sources = vec![("osv-pypi", shared("osv/PyPI/all.zip"))];
    update(dir.path(), &options(&sources), &NoNetwork).unwrap();
    let before = std::fs::read(dir.path().join("vuln.db")).unwrap();
    {
        let mut builder = palisade_vulndb::store::builder::StoreBuilder::begin(dir.path()).unwrap();
        // A second update cannot start while this one holds the lock.
        assert!(matches!(
            palisade_vulndb::store::builder::StoreBuilder::begin(dir.path()),
            Err(palisade_vulndb::StoreError::Locked(_))
        ));
        builder.copy_feed("osv-pypi").unwrap();
        // Dropped without commit: as if the process died here.
    }
    assert_eq!(std::fs::read(dir.path().join("vuln.db")).unwrap(), before);
    Store::open(dir.path()).unwrap();
}

#[test]
fn scans_through_the_store_rate_rank_and_show_distribution_status() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let store = Store::open(dir.path()).unwrap();
    let packages = vec![
        Package::new("requests", "2.19.0", Ecosystem::PyPI, "x"),
        Package::new("salt", "3000.1", Ecosystem::PyPI, "x"),
        deb("tar", "tar", "1.34+dfsg-1.2+deb12u1"),
        deb("libc6", "glibc", "2.36-9+deb12u1"),
        deb("libc-bin", "glibc", "2.36-9+deb12u14"),
    ];
    let inv = inventory(Some(os(OsFamily::Debian, "12")), packages);
    let findings = palisade_vulndb::assess(&inv, &store, &store).unwrap();
    let find = |id: &str, package: &str| {
        findings
            .iter()
            .find(|f| (f.id == id || f.aliases.iter().any(|a| a == id)) && f.package == package)
            .unwrap_or_else(|| panic!("{id} in {package} not found in {findings:#?}"))
    };
    // PyPI through the store, rated by NVD (the fixture page), EPSS attached.
    let requests = find("CVE-2018-18074", "requests");
    assert_eq!(requests.severity, Severity::High);
    assert_eq!(requests.severity_source.as_deref(), Some("nvd"));
    assert_eq!(requests.cvss.as_ref().unwrap().score, 7.5);
    assert_eq!(requests.cwes, vec!["CWE-522".to_string()]);
    assert_eq!(requests.epss.as_ref().unwrap().score, 0.01234);
    assert_eq!(requests.status, FixStatus::Fixed);
    assert_eq!(requests.fixed_version.as_deref(), Some("2.20.0"));
    // Exploited in the wild: listed first.
    assert_eq!(findings[0].id, "CVE-2020-11651");
    assert!(findings[0].kev.is_some());
    // Debian: by source package and release, with Debian's verdict.
    let tar = find("CVE-2005-2541", "tar");
    assert_eq!(tar.status, FixStatus::WillNotFix);
    assert_eq!(tar.severity, Severity::Low);
    assert_eq!(tar.severity_source.as_deref(), Some("debian"));
    let glibc = find("CVE-2023-4911", "libc6");
    assert_eq!(glibc.fixed_version.as_deref(), Some("2.36-9+deb12u3"));
    assert_eq!(glibc.status, FixStatus::Fixed);
    assert!(
        !findings.iter().any(|f| f.package == "libc-bin"),
        "deb12u14 is past the fix: {findings:#?}"
    );
}

#[test]
fn alpine_packages_match_the_real_secdb_by_origin_and_branch() {
    let dir = tempfile::tempdir().unwrap();
    let sources = vec![("alpine-secdb", shared("alpine-secdb"))];
    update(dir.path(), &options(&sources), &NoNetwork).unwrap();
    let store = Store::open(dir.path()).unwrap();
    let apk = |name: &str, origin: &str, version: &str| {
        let mut p = Package::new(name, version, Ecosystem::Apk, "lib/apk/db/installed");
        p.source_name = Some(origin.into());
        p
    };
    // ansible 2.9.3-r0 fixed CVE-2019-14904 in v3.11 (real secdb).
    let inv = inventory(
        Some(os(OsFamily::Alpine, "3.11.6")),
        vec![apk("ansible", "ansible", "2.9.2-r0")],
    );
    let findings = palisade_vulndb::assess(&inv, &store, &palisade_vulndb::NoEnrichment).unwrap();
    let hit = findings.iter().find(|f| f.id == "CVE-2019-14904").unwrap();
    assert_eq!(hit.fixed_version.as_deref(), Some("2.9.3-r0"));
    let fixed = inventory(
        Some(os(OsFamily::Alpine, "3.11.6")),
        vec![apk("ansible", "ansible", "2.9.3-r0")],
    );
    let none = palisade_vulndb::assess(&fixed, &store, &palisade_vulndb::NoEnrichment).unwrap();
    assert!(!none.iter().any(|f| f.id == "CVE-2019-14904"));
    // Another branch's data does not apply.
    let other = inventory(
        Some(os(OsFamily::Alpine, "3.3.0")),
        vec![apk("ansible", "ansible", "2.9.2-r0")],
    );
    let other = palisade_vulndb::assess(&other, &store, &palisade_vulndb::NoEnrichment).unwrap();
    assert!(!other.iter().any(|f| f.id == "CVE-2019-14904"));
}

#[test]
fn unknown_feed_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = update(
        dir.path(),
        &options(&[("osv-nope", "x".into())]),
        &NoNetwork,
    )
    .unwrap_err();
    assert!(err.to_string().contains("osv-nope"));
    let _unused: PathBuf = dir.path().into();
}

#[test]
fn ubuntu_records_match_by_source_package_in_the_release_lts_suffix_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let records = tempfile::tempdir().unwrap();
    // The shape Ubuntu publishes to OSV (ecosystem `Ubuntu:22.04:LTS`, source package names).
    std::fs::write(
        records.path().join("UBUNTU-CVE-2099-20001.json"),
        r#"{"id": "UBUNTU-CVE-2099-20001", "aliases": ["CVE-2099-20001"],
            "severity": [{"type": "Ubuntu", "score": "medium"}],
            "affected": [{"package": {"ecosystem": "Ubuntu:22.04:LTS", "name": "openssl"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.2-0ubuntu1.15"}]}]}]}"#,
    )
    .unwrap();
    let sources = vec![("osv-ubuntu", records.path().to_string_lossy().into_owned())];
    update(dir.path(), &options(&sources), &NoNetwork).unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut libssl = Package::new("libssl3", "3.0.2-0ubuntu1.14", Ecosystem::Deb, "x");
    libssl.source_name = Some("openssl".into());
    libssl.source_version = Some("3.0.2-0ubuntu1.14".into());
    let inv = inventory(Some(os(OsFamily::Ubuntu, "22.04")), vec![libssl.clone()]);
    let findings = palisade_vulndb::assess(&inv, &store, &palisade_vulndb::NoEnrichment).unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].id, "CVE-2099-20001");
    assert_eq!(
        findings[0].fixed_version.as_deref(),
        Some("3.0.2-0ubuntu1.15")
    );
    let other = inventory(Some(os(OsFamily::Ubuntu, "24.04")), vec![libssl]);
    assert!(
        palisade_vulndb::assess(&other, &store, &palisade_vulndb::NoEnrichment)
            .unwrap()
            .is_empty()
    );
}
