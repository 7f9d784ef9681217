//! OSV range evaluation on hand-made records (every event kind) that need no version scheme
//! beyond the ones tested here, plus GIT ranges and withdrawn records.

use palisade_vulndb::matcher::{is_affected, matching, normalize_name, scheme_for};
use palisade_vulndb::osv::{Affected, Record};
use palisade_vulndb::version::Scheme;

fn record(json: &str) -> Record {
    serde_json::from_str(json).unwrap()
}

#[test]
fn git_ranges_never_match_and_withdrawn_records_are_ignored() {
    let git_only: Affected = serde_json::from_str(
        r#"{"package":{"ecosystem":"PyPI","name":"x"},
            "ranges":[{"type":"GIT","repo":"r","events":[{"introduced":"0"},{"fixed":"c45d7c49ea75"}]}]}"#,
    )
    .unwrap();
    for version in ["0", "1.0", "c45d7c49ea75", "zzz"] {
        assert!(!is_affected(&git_only, Scheme::Pep440, version).unwrap());
    }
    let listed: Affected = serde_json::from_str(
        r#"{"package":{"ecosystem":"PyPI","name":"x"},"versions":["1.0","1.1"]}"#,
    )
    .unwrap();
    assert!(is_affected(&listed, Scheme::Pep440, "1.1").unwrap());
    let withdrawn = record(
        r#"{"id":"W-1","withdrawn":"2024-01-01T00:00:00Z",
            "affected":[{"package":{"ecosystem":"PyPI","name":"x"},"versions":["1.0"]}]}"#,
    );
    assert!(matching([&withdrawn], "PyPI", "x", "1.0").is_empty());
}

#[test]
fn ecosystems_and_names() {
    assert_eq!(scheme_for("Debian:12"), Some(Scheme::Deb));
    assert_eq!(scheme_for("Alpine:v3.19"), Some(Scheme::Apk));
    assert_eq!(scheme_for("Rocky Linux:9"), Some(Scheme::Rpm));
    assert_eq!(scheme_for("Go"), Some(Scheme::Semver));
    assert_eq!(scheme_for("Unknown"), None);
    assert_eq!(
        normalize_name("PyPI", "Django_REST.framework"),
        "django-rest-framework"
    );
    assert_eq!(normalize_name("PyPI", "PyYAML"), "pyyaml");
    assert_eq!(normalize_name("npm", "@Scope/Pkg"), "@Scope/Pkg");
}
