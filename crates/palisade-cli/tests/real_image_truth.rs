//! Ground truth on the real test image: the dpkg set equals dpkg-query's on the same root
//! filesystem; the application layer's Python and npm packages are found with their layer;
//! the layer that deletes a package hides it; cached results equal fresh ones; SBOMs are valid
//! against the official schemas and read back to the same packages.

mod common;

use std::collections::BTreeSet;

use common::{images, inventory, package_set, palisade};
use serde_json::Value;

fn archive() -> String {
    format!(
        "docker-archive:{}",
        images().join("app-docker.tar").display()
    )
}

fn packages<'a>(inv: &'a Value, ecosystem: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    inv["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(move |p| p["ecosystem"] == ecosystem)
}

/// The first four tab-separated columns of a ground-truth file written by the real tool.
fn ground_truth(name: &str) -> BTreeSet<(String, String, String, String)> {
    std::fs::read_to_string(images().join(name))
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].into(), f[1].into(), f[2].into(), f[3].into())
        })
        .collect()
}

#[test]
fn dpkg_packages_equal_dpkg_query_on_the_same_root() {
    let truth = ground_truth("dpkg-query.txt");
    assert!(truth.len() > 80);
    let cache = tempfile::tempdir().unwrap();
    for image in [
        archive(),
        format!("dir:{}", images().join("rootfs").display()),
    ] {
        let inv = inventory(&image, cache.path(), &[]);
        let found: BTreeSet<(String, String, String, String)> = packages(&inv, "deb")
            .map(|p| {
                let name = p["name"].as_str().unwrap().to_string();
                let version = p["version"].as_str().unwrap().to_string();
                (
                    name.clone(),
                    version.clone(),
                    p["source_name"].as_str().map_or(name, str::to_string),
                    p["source_version"].as_str().map_or(version, str::to_string),
                )
            })
            .collect();
        assert_eq!(found, truth, "{image}");
        assert_eq!(inv["os"]["id"], "debian");
        // Licences come from usr/share/doc/<package>/copyright.
        let adduser = packages(&inv, "deb")
            .find(|p| p["name"] == "adduser")
            .unwrap();
        assert_eq!(adduser["licenses"], serde_json::json!(["GPL-2.0-or-later"]));
        let licensed = packages(&inv, "deb")
            .filter(|p| p["licenses"].is_array())
            .count();
        assert!(
            licensed * 10 >= truth.len() * 9,
            "{licensed} of {} have licences",
            truth.len()
        );
        assert_eq!(inv["os"]["version_id"], "12");
        let purl = packages(&inv, "deb").next().unwrap()["purl"]
            .as_str()
            .unwrap();
        assert!(
            purl.starts_with("pkg:deb/debian/") && purl.contains("distro=debian-12"),
            "{purl}"
        );
    }
}

#[test]
fn application_layer_packages_carry_their_layer_and_whiteouts_hide_deleted_ones() {
    let cache = tempfile::tempdir().unwrap();
    let inv = inventory(&archive(), cache.path(), &[]);
    let layers: Vec<&str> = inv["artifact"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["diff_id"].as_str().unwrap())
        .collect();
    assert_eq!(layers.len(), 3);
    let python: BTreeSet<(&str, &str)> = packages(&inv, "PyPI")
        .map(|p| (p["name"].as_str().unwrap(), p["version"].as_str().unwrap()))
        .collect();
    for expected in [
        ("requests", "2.19.0"),
        ("urllib3", "1.24.1"),
        ("Jinja2", "2.10"),
        ("PyYAML", "5.3"),
    ] {
        assert!(
            python.contains(&expected),
            "{expected:?} missing from {python:?}"
        );
    }
    // six was installed in the base layer and deleted by the top layer.
    assert!(!python.iter().any(|(n, _)| *n == "six"), "{python:?}");
    for p in packages(&inv, "PyPI").chain(packages(&inv, "npm")) {
        assert_eq!(p["introduced_by"], layers[1], "{p}");
    }
    for p in packages(&inv, "deb") {
        assert_eq!(p["introduced_by"], layers[0], "{p}");
    }
    let npm: BTreeSet<(&str, &str)> = packages(&inv, "npm")
        .map(|p| (p["name"].as_str().unwrap(), p["version"].as_str().unwrap()))
        .collect();
    assert!(
        npm.contains(&("lodash", "4.17.4")) && npm.contains(&("minimist", "0.0.8")),
        "{npm:?}"
    );

    // The base root filesystem alone still has six.
    let base = inventory(
        &format!("dir:{}", images().join("rootfs").display()),
        cache.path(),
        &[],
    );
    assert!(packages(&base, "PyPI").any(|p| p["name"] == "six" && p["version"] == "1.10.0"));
}

#[test]
fn cached_layer_results_equal_fresh_ones() {
    let cache = tempfile::tempdir().unwrap();
    let fresh = inventory(&archive(), cache.path(), &[]);
    let entries = std::fs::read_dir(cache.path().join("layers"))
        .unwrap()
        .count();
    assert_eq!(entries, 3, "one cache entry per layer");
    let cached = inventory(&archive(), cache.path(), &[]);
    assert_eq!(fresh["packages"], cached["packages"]);
    // The OCI layout shares the layers (same diff ids): it is served from the same entries.
    let oci = inventory(
        &format!("oci:{}:1", images().join("app-oci").display()),
        cache.path(),
        &[],
    );
    assert_eq!(
        std::fs::read_dir(cache.path().join("layers"))
            .unwrap()
            .count(),
        3
    );
    assert_eq!(package_set(&oci), package_set(&fresh));
}

fn validator(schema: &str, companions: &[(&str, &str)]) -> jsonschema::Validator {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade-report/schemas");
    let load = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
    };
    let mut options = jsonschema::options();
    options.should_validate_formats(true);
    for (uri, file) in companions {
        options.with_resource(
            *uri,
            jsonschema::Resource::from_contents(load(file)).unwrap(),
        );
    }
    options.build(&load(schema)).unwrap()
}

#[test]
fn sboms_of_the_real_image_are_valid_and_read_back() {
    let cache = tempfile::tempdir().unwrap();
    let expected = package_set(&inventory(&archive(), cache.path(), &[]));
    let cdx_schema = validator(
        "bom-1.6.schema.json",
        &[
            (
                "http://cyclonedx.org/schema/spdx.schema.json",
                "spdx.schema.json",
            ),
            (
                "http://cyclonedx.org/schema/jsf-0.82.schema.json",
                "jsf-0.82.schema.json",
            ),
        ],
    );
    let spdx_schema = validator("spdx-schema-2.3.json", &[]);
    for (format, schema) in [("cyclonedx", &cdx_schema), ("spdx", &spdx_schema)] {
        let file = cache.path().join(format!("sbom.{format}.json"));
        let out = palisade(
            &[
                "sbom",
                &archive(),
                "-f",
                format,
                "-o",
                file.to_str().unwrap(),
            ],
            cache.path(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let errors: Vec<String> = schema
            .iter_errors(&doc)
            .map(|e| e.to_string())
            .take(5)
            .collect();
        assert!(errors.is_empty(), "{format} invalid: {errors:?}");
        let back = inventory(&format!("sbom:{}", file.display()), cache.path(), &[]);
        assert_eq!(package_set(&back), expected, "{format} round trip");
    }
}

#[test]
fn hostile_input_exits_2_with_a_message() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("truncated.tar");
    let bytes = std::fs::read(images().join("app-docker.tar")).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let garbage = dir.path().join("garbage.tar");
    std::fs::write(
        &garbage,
        b"this is not a tar archive at all, not even close",
    )
    .unwrap();
    for (input, expect) in [
        (format!("docker-archive:{}", truncated.display()), ""),
        (format!("docker-archive:{}", garbage.display()), ""),
        ("oci:/nonexistent/layout".to_string(), "oci-layout"),
        (format!("sbom:{}", garbage.display()), "SBOM"),
    ] {
        let out = palisade(&["sbom", &input], cache.path());
        assert_eq!(out.status.code(), Some(2), "{input}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("error: "), "{input}: {stderr}");
        assert!(stderr.contains(expect), "{input}: {stderr}");
        assert!(!stderr.contains("panicked"), "{input}: {stderr}");
    }
}

#[test]
fn tampered_layer_blob_is_a_digest_error() {
    let cache = tempfile::tempdir().unwrap();
    let copy = tempfile::tempdir().unwrap();
    let src = images().join("app-oci");
    let status = std::process::Command::new("cp")
        .args([
            "-a",
            &format!("{}/.", src.display()),
            copy.path().to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    // Flip one byte in the smallest layer blob.
    let index: Value =
        serde_json::from_slice(&std::fs::read(copy.path().join("index.json")).unwrap()).unwrap();
    let manifest_digest = index["manifests"][0]["digest"].as_str().unwrap();
    let blob = |d: &str| {
        copy.path()
            .join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(blob(manifest_digest)).unwrap()).unwrap();
    let layer = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .min_by_key(|l| l["size"].as_u64().unwrap())
        .unwrap()["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let path = blob(&layer);
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 10;
    bytes[last] ^= 0x55;
    std::fs::write(&path, bytes).unwrap();
    let out = palisade(
        &[
            "sbom",
            &format!("oci:{}", copy.path().display()),
            "--no-cache",
        ],
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("digest") || stderr.contains("corrupt") || stderr.contains("invalid"),
        "{stderr}"
    );
}

#[test]
fn rpm_packages_equal_rpm_query_on_a_real_rpm_database() {
    let truth = ground_truth("rpm-query.txt");
    assert_eq!(truth.len(), 2);
    let cache = tempfile::tempdir().unwrap();
    let image = format!(
        "docker-archive:{}",
        images().join("rpm-docker.tar").display()
    );
    let inv = inventory(&image, cache.path(), &[]);
    let found: BTreeSet<(String, String, String, String)> = packages(&inv, "rpm")
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
                p["arch"].as_str().unwrap().to_string(),
                p["licenses"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(found, truth);
    assert_eq!(inv["os"]["id"], "rocky");
    let app = packages(&inv, "rpm")
        .find(|p| p["name"] == "palisade-app")
        .unwrap();
    assert_eq!(
        app["purl"],
        "pkg:rpm/rocky/palisade-app@2.4.1-3.el9?arch=noarch&distro=rocky-9.3&epoch=1"
    );
}
