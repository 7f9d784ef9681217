//! `palisade policy verify`: Gatekeeper test suites run by the real binary.

use std::path::PathBuf;
use std::process::{Command, Output};

fn suites(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../palisade-checks/fixtures/gator")
        .join(rel)
        .display()
        .to_string()
}

fn verify(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["policy", "verify"])
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_passing_suite_exits_zero_and_says_ok() {
    let out = verify(&["--passing", &suites("passing/suite.yaml")]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("--- PASS: team-label/unlabelled-pod-denied"),
        "{text}"
    );
    assert!(text.contains("--- SKIP: team-label/skipped-case"), "{text}");
    assert!(text.lines().last().unwrap().starts_with("ok\t"), "{text}");
}

#[test]
fn a_failing_case_exits_one_naming_the_case_and_why() {
    let out = verify(&[&format!("{}/...", suites(""))]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("--- FAIL: team-label/wrong-count\n    got 2 violations but want exactly 3"),
        "{text}"
    );
    assert!(
        text.contains("--- FAIL: valid-constraint-marked-invalid"),
        "{text}"
    );
    // Both suites ran: the failing one and the passing one.
    assert_eq!(
        text.lines().filter(|l| l.starts_with("FAIL\t")).count(),
        1,
        "{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.starts_with("ok\t")).count(),
        1,
        "{text}"
    );
}

#[test]
fn a_path_without_suites_is_an_error() {
    let out = verify(&[&suites("passing/template.yaml")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no Suite"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
