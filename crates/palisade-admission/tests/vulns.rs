//! The image vulnerability gate: scan reports by digest, severity / KEV / CVE conditions,
//! exemptions with expiry, unscanned images.

mod common;

use common::*;
use palisade_admission::{decode, load_file, policy, Admission, Decision, Mode, Options};
use serde_json::json;

const A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn admission() -> Admission {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/vuln-policy.yaml"
    );
    Admission::new(
        load_file(std::path::Path::new(path)).unwrap(),
        Options::default(),
    )
}

fn with_images(images: &[&str]) -> serde_json::Value {
    let containers = images
        .iter()
        .enumerate()
        .map(|(i, image)| {
            let mut c = good_container(&format!("c{i}"));
            c["image"] = json!(image);
            c
        })
        .collect();
    workload("Deployment", "web", pod_spec(containers))
}

fn review(a: &Admission, obj: serde_json::Value) -> Decision {
    a.review(
        &decode(
            Req::create("Deployment", "dev", obj)
                .body("u")
                .to_string()
                .as_bytes(),
        )
        .unwrap(),
    )
}

#[test]
fn critical_and_kev_findings_deny_by_digest() {
    let a = admission();
    let d = review(&a, with_images(&[&format!("ghcr.io/acme/api:2.4.1@{A}")]));
    assert!(!d.allowed());
    let msg = d.response.status.as_ref().unwrap().message.clone().unwrap();
    assert!(
        msg.contains(
            "CVE-2024-0001 (Critical) in openssl 3.0.11-1~deb12u1, fixed in 3.0.13-1~deb12u1"
        ),
        "{msg}"
    );
    assert!(
        msg.contains("CVE-2024-0002 (High, known exploited) in curl"),
        "{msg}"
    );
    assert!(!msg.contains("CVE-2024-0003"), "medium, not KEV: {msg}");
    assert!(msg.contains("container \"c0\""), "{msg}");
    // Another image, only a low finding: allowed; the named CVE is audited.
    let d = review(&a, with_images(&[&format!("ghcr.io/acme/web@{B}")]));
    assert!(d.allowed());
    assert_eq!(d.results.len(), 1);
    assert_eq!(d.results[0].mode, Mode::Audit);
    assert!(d.results[0].finding.message.contains("CVE-2024-0004"));
}

#[test]
fn unscanned_images_warn_and_exemptions_apply_until_they_expire() {
    let a = admission();
    // A tag-only image and an unknown digest: unscanned → warning, allowed.
    let d = review(
        &a,
        with_images(&[
            "nginx:1.27",
            &format!("ghcr.io/acme/other@sha256:{}", "cd".repeat(32)),
        ]),
    );
    assert!(d.allowed());
    assert_eq!(d.response.warnings.len(), 2, "{:?}", d.response.warnings);
    assert!(d.response.warnings[0].contains("no scan report (not pinned by digest)"));
    // The live exemption covers only ghcr.io/acme/legacy; the expired one covers nothing.
    let d = review(&a, with_images(&[&format!("ghcr.io/acme/legacy:1@{A}")]));
    assert!(!d.allowed());
    let msg = d.response.status.as_ref().unwrap().message.clone().unwrap();
    assert!(
        !msg.contains("CVE-2024-0001") && msg.contains("CVE-2024-0002"),
        "{msg}"
    );
}

#[test]
fn bad_gate_policies_are_refused() {
    let base = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"));
    for (policy, needle) in [
        (
            "{reports: scan-reports, minSeverity: severe}",
            "severity \"severe\"",
        ),
        ("{reports: nowhere, kev: true}", "nowhere"),
        ("{reports: scan-reports}", "set minSeverity"),
        (
            "{reports: scan-reports, kev: true, exemptions: [{reason: x}]}",
            "without cve",
        ),
        (
            "{reports: scan-reports, kev: true, exemptions: [{cve: C, reason: x, expires: soon}]}",
            "YYYY-MM-DD",
        ),
    ] {
        let text = format!("apiVersion: palisade.dev/v1alpha1\nkind: AdmissionPolicy\npolicies:\n- {{name: v, mode: enforce, vulnerabilities: {policy}}}\n");
        let err = policy::compile_in(&text, "t", base)
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{needle} not in {err}");
    }
}
