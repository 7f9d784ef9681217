//! Gatekeeper `gator verify` suites (fixtures/gator) run by the suite runner.

use std::path::PathBuf;

use palisade_checks::rego::verify::{run_suite, suite_files, SuiteReport};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/gator")
        .join(rel)
}

fn run(rel: &str) -> SuiteReport {
    run_suite(&fixture(rel)).expect("a suite file")
}

/// (test, case, error) of every case and test that failed.
fn failures(report: &SuiteReport) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for t in &report.tests {
        if let Some(e) = &t.error {
            out.push((t.name.clone(), String::new(), e.clone()));
        }
        for c in &t.cases {
            if let Some(e) = &c.error {
                out.push((t.name.clone(), c.name.clone(), e.clone()));
            }
        }
    }
    out
}

#[test]
fn a_passing_suite_passes_every_kind_of_case() {
    let report = run("passing/suite.yaml");
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(failures(&report), Vec::<(String, String, String)>::new());
    assert!(report.passed());
    let names: Vec<(&str, usize)> = report
        .tests
        .iter()
        .map(|t| (t.name.as_str(), t.cases.len()))
        .collect();
    assert_eq!(
        names,
        [
            ("team-label", 4),
            ("parameters-must-fit-the-schema", 0),
            ("unique-host", 2)
        ]
    );
    assert!(report.tests[0].cases[3].skipped);
}

#[test]
fn a_failing_suite_names_each_failing_case_and_why() {
    let report = run("failing/suite.yaml");
    assert!(!report.passed());
    let got = failures(&report);
    assert_eq!(got.len(), 4, "{got:#?}");
    assert_eq!(got[0].1, "expects-a-violation-that-is-not-there");
    assert!(
        got[0].2.starts_with("got 0 violations but want at least 1"),
        "{}",
        got[0].2
    );
    assert_eq!(got[1].1, "wrong-count");
    assert!(
        got[1].2.starts_with("got 2 violations but want exactly 3"),
        "{}",
        got[1].2
    );
    assert!(
        got[1].2.contains("Pod bare lacks label team"),
        "{}",
        got[1].2
    );
    assert_eq!(
        (got[2].1.as_str(), got[2].2.as_str()),
        ("no-assertions", "assertions must be non-empty")
    );
    assert_eq!(got[3].0, "valid-constraint-marked-invalid");
    assert!(got[3].2.contains("wants it invalid"), "{}", got[3].2);
}

#[test]
fn suite_paths_are_read_as_gator_reads_them() {
    let dir = fixture("");
    let top = dir.to_str().unwrap().trim_end_matches('/');
    // A directory alone: its own files (none here are suites at the top).
    assert!(suite_files(top).unwrap().is_empty());
    // With /...: every YAML file below it; the suites among them are found by their kind.
    let all = suite_files(&format!("{top}/...")).unwrap();
    let suites: Vec<PathBuf> = all
        .iter()
        .filter(|p| run_suite(p).is_some())
        .cloned()
        .collect();
    assert_eq!(
        suites,
        [fixture("failing/suite.yaml"), fixture("passing/suite.yaml")]
    );
    assert!(suite_files(&format!("{top}/missing")).is_err());
}
