//! `palisade keygen`, `image scan --sign`, `report verify` and `image scan -f cyclonedx`, end to
//! end on the real test image against the real OSV PyPI data.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use base64::Engine;
use common::{images, palisade};
use serde_json::Value;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn osv_pypi() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/osv/PyPI/all.zip")
        .display()
        .to_string()
}

fn test_image() -> String {
    format!(
        "docker-archive:{}",
        images().join("app-docker.tar").display()
    )
}

fn keygen(dir: &Path, name: &str) -> String {
    let prefix = dir.join(name);
    let out = palisade(&["keygen", "-o", prefix.to_str().unwrap()], dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Scans the test image, signed with `key`, into `out`.
fn signed_scan(dir: &Path, key: &Path, out: &Path) {
    let image = test_image();
    let run = palisade(
        &[
            "image",
            "scan",
            &image,
            "--osv",
            &osv_pypi(),
            "--sign",
            key.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        &dir.join("cache"),
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn verify(dir: &Path, public: &Path, file: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "report",
        "verify",
        "--key",
        public.to_str().unwrap(),
        file.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    palisade(&args, dir)
}

#[test]
fn keygen_writes_an_openssl_compatible_pair_and_never_overwrites() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key_id = keygen(dir.path(), "signer");
    let private = dir.path().join("signer.key");
    let public = dir.path().join("signer.pub");
    assert_eq!(
        std::fs::metadata(&private).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(std::fs::read_to_string(&private)
        .unwrap()
        .starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(std::fs::read_to_string(&public)
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----\n"));
    // OpenSSL derives the same public key from the private one; the key id is the sha256 of
    // the SPKI DER.
    let derived = Command::new("openssl")
        .args(["pkey", "-in", private.to_str().unwrap(), "-pubout"])
        .output()
        .unwrap();
    assert!(derived.status.success());
    assert_eq!(derived.stdout, std::fs::read(&public).unwrap());
    let der = Command::new("openssl")
        .args([
            "pkey",
            "-pubin",
            "-in",
            public.to_str().unwrap(),
            "-outform",
            "DER",
        ])
        .output()
        .unwrap();
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(&der.stdout)), key_id);

    let again = palisade(
        &["keygen", "-o", dir.path().join("signer").to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not overwriting"));
}

#[test]
fn a_signed_scan_verifies_and_carries_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key_id = keygen(d, "signer");
    let envelope_path = d.join("report.dsse.json");
    signed_scan(d, &d.join("signer.key"), &envelope_path);

    let envelope: Value = serde_json::from_slice(&std::fs::read(&envelope_path).unwrap()).unwrap();
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    assert_eq!(envelope["signatures"][0]["keyid"], key_id.as_str());
    let statement: Value =
        serde_json::from_slice(&B64.decode(envelope["payload"].as_str().unwrap()).unwrap())
            .unwrap();
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        statement["predicateType"],
        "https://in-toto.io/attestation/vulns/v0.2"
    );
    let image_id = statement["predicate"]["palisadeReport"]["artifact"]["config_digest"]
        .as_str()
        .unwrap();
    assert_eq!(
        format!(
            "sha256:{}",
            statement["subject"][0]["digest"]["sha256"]
                .as_str()
                .unwrap()
        ),
        image_id
    );
    // The database digest is the OSV file's sha256.
    use sha2::Digest;
    let zip_digest = format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(std::fs::read(osv_pypi()).unwrap()))
    );
    assert_eq!(
        statement["predicate"]["scanner"]["db"]["version"],
        zip_digest.as_str()
    );
    assert!(statement["predicate"]["scanner"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "CVE-2018-18074"));

    // Table: subject and summary.
    let out = verify(d, &d.join("signer.pub"), &envelope_path, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("signature by key {key_id}")),
        "{text}"
    );
    assert!(text.contains(image_id), "{text}");
    assert!(text.contains("Findings:"), "{text}");
    assert!(text.contains("CVE-2018-18074"), "{text}");

    // JSON: the Palisade report itself.
    let out = verify(d, &d.join("signer.pub"), &envelope_path, &["-f", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let requests = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "CVE-2018-18074")
        .expect("requests 2.19.0: CVE-2018-18074 (PYSEC-2018-28)");
    assert_eq!(requests["fixed_version"], "2.20.0");
    assert!(requests["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "PYSEC-2018-28"));

    // Statement: the verified in-toto statement as it was signed.
    let out = verify(
        d,
        &d.join("signer.pub"),
        &envelope_path,
        &["-f", "statement"],
    );
    assert_eq!(out.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, statement);
}

#[test]
fn a_signed_scan_still_gates_ci_with_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    keygen(d, "signer");
    let envelope_path = d.join("report.dsse.json");
    let image = test_image();
    let out = palisade(
        &[
            "image",
            "scan",
            &image,
            "--osv",
            &osv_pypi(),
            "--sign",
            d.join("signer.key").to_str().unwrap(),
            "--fail-on",
            "high",
            "-o",
            envelope_path.to_str().unwrap(),
        ],
        &d.join("cache"),
    );
    // urllib3 1.24.1 has a HIGH finding (CVE-2023-43804): exit 1, and the envelope is written.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = verify(d, &d.join("signer.pub"), &envelope_path, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("CVE-2023-43804"));
}

#[test]
fn altered_or_foreign_reports_fail_with_exit_1_and_unreadable_input_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    keygen(d, "signer");
    keygen(d, "other");
    let envelope_path = d.join("report.dsse.json");
    signed_scan(d, &d.join("signer.key"), &envelope_path);
    let original: Value = serde_json::from_slice(&std::fs::read(&envelope_path).unwrap()).unwrap();
    let public = d.join("signer.pub");

    let write = |name: &str, v: &Value| {
        let path = d.join(name);
        std::fs::write(&path, serde_json::to_vec(v).unwrap()).unwrap();
        path
    };
    let expect_invalid = |path: &Path, key: &Path, what: &str| {
        let out = verify(d, key, path, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
        assert!(stderr.contains("INVALID"), "{what}: {stderr}");
        assert!(out.stdout.is_empty(), "{what}: printed a report");
        stderr.to_string()
    };

    // Tampered payload: a finding removed from the statement.
    let mut statement: Value =
        serde_json::from_slice(&B64.decode(original["payload"].as_str().unwrap()).unwrap())
            .unwrap();
    statement["predicate"]["scanner"]["result"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    statement["predicate"]["palisadeReport"]["findings"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    let mut tampered = original.clone();
    tampered["payload"] = B64.encode(serde_json::to_vec(&statement).unwrap()).into();
    let msg = expect_invalid(&write("tampered.json", &tampered), &public, "tampered");
    assert!(msg.contains("does not verify"), "{msg}");

    // The right envelope, checked with another key.
    let msg = expect_invalid(&envelope_path, &d.join("other.pub"), "wrong key");
    assert!(msg.contains("not signed by key"), "{msg}");

    // Key id swapped for the other key's: the signature is never tried with the wrong label,
    // and with the other key it does not verify.
    let other_id = keygen(d, "third");
    let mut swapped = original.clone();
    swapped["signatures"][0]["keyid"] = other_id.into();
    expect_invalid(&write("swapped.json", &swapped), &public, "swapped keyid");
    expect_invalid(
        &write("swapped.json", &swapped),
        &d.join("third.pub"),
        "swapped keyid, third key",
    );

    // Truncated base64 signature and payload.
    let mut truncated = original.clone();
    let sig = truncated["signatures"][0]["sig"]
        .as_str()
        .unwrap()
        .to_string();
    truncated["signatures"][0]["sig"] = sig[..sig.len() / 2].into();
    expect_invalid(
        &write("trunc-sig.json", &truncated),
        &public,
        "truncated sig",
    );
    let mut truncated = original.clone();
    let payload = truncated["payload"].as_str().unwrap().to_string();
    truncated["payload"] = payload[..payload.len() - 7].into();
    expect_invalid(
        &write("trunc-payload.json", &truncated),
        &public,
        "truncated payload",
    );

    // Unreadable input: exit 2.
    std::fs::write(d.join("garbage.json"), b"\x00\x01 not an envelope").unwrap();
    let out = verify(d, &public, &d.join("garbage.json"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a DSSE envelope"));
    let out = verify(d, &public, &d.join("missing.json"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let out = verify(d, &d.join("signer.key"), &envelope_path, &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a private key is not a public key"
    );
}

#[test]
fn signing_needs_a_readable_key_and_an_image_digest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    keygen(d, "signer");
    let root = d.join("rootfs");
    let meta = root.join("usr/lib/python3/dist-packages/requests-2.19.0.dist-info");
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::write(
        meta.join("METADATA"),
        "Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\n\n",
    )
    .unwrap();
    let image = format!("dir:{}", root.display());
    let pypi = osv_pypi();
    let scan = |key: &Path| {
        palisade(
            &[
                "image",
                "scan",
                &image,
                "--osv",
                &pypi,
                "--sign",
                key.to_str().unwrap(),
            ],
            &d.join("cache"),
        )
    };
    let out = scan(&d.join("signer.key"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no image digest"));
    assert!(out.stdout.is_empty());
    let out = scan(&d.join("signer.pub"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PKCS#8"));
}

fn cyclonedx_validator() -> jsonschema::Validator {
    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade-report/schemas");
    let load = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(schemas.join(name)).unwrap()).unwrap()
    };
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .with_resource(
            "http://cyclonedx.org/schema/spdx.schema.json",
            jsonschema::Resource::from_contents(load("spdx.schema.json")).unwrap(),
        )
        .with_resource(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            jsonschema::Resource::from_contents(load("jsf-0.82.schema.json")).unwrap(),
        )
        .build(&load("bom-1.6.schema.json"))
        .unwrap()
}

#[test]
fn cyclonedx_scan_results_are_valid_and_point_at_the_packages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A VEX statement marks one finding not_affected: it becomes the entry's analysis.
    let vex = d.join("app.openvex.json");
    std::fs::write(
        &vex,
        serde_json::to_vec(&serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.com/vex/1",
            "author": "Security team",
            "timestamp": "2026-11-01T00:00:00Z",
            "version": 1,
            "statements": [{
                "vulnerability": {"name": "CVE-2023-32681"},
                "products": [{"@id": "pkg:pypi/requests@2.19.0"}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path"
            }]
        }))
        .unwrap(),
    )
    .unwrap();
    let image = test_image();
    let out = palisade(
        &[
            "image",
            "scan",
            &image,
            "--osv",
            &osv_pypi(),
            "--vex",
            vex.to_str().unwrap(),
            "-f",
            "cyclonedx",
        ],
        &d.join("cache"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bom: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = cyclonedx_validator()
        .iter_errors(&bom)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    let components = bom["components"].as_array().unwrap();
    let requests_ref = components
        .iter()
        .find(|c| c["purl"] == "pkg:pypi/requests@2.19.0")
        .expect("requests component")["bom-ref"]
        .clone();
    let vulns = bom["vulnerabilities"].as_array().unwrap();
    let v = vulns
        .iter()
        .find(|v| v["id"] == "CVE-2018-18074")
        .expect("CVE-2018-18074");
    assert_eq!(v["affects"][0]["ref"], requests_ref);
    assert_eq!(v["affects"][0]["versions"][0]["version"], "2.19.0");
    assert_eq!(v["affects"][0]["versions"][0]["status"], "affected");
    assert!(v["references"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "PYSEC-2018-28"));
    assert!(v["properties"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "palisade:vulnerability:fixed-version" && p["value"] == "2.20.0"));
    let urllib3 = vulns
        .iter()
        .find(|v| v["id"] == "CVE-2023-43804")
        .expect("urllib3 CVE-2023-43804");
    assert_eq!(urllib3["ratings"][0]["method"], "CVSSv31");
    assert_eq!(urllib3["ratings"][0]["score"], 8.1);
    assert_eq!(urllib3["ratings"][0]["severity"], "high");

    let suppressed = vulns
        .iter()
        .find(|v| v["id"] == "CVE-2023-32681")
        .expect("the VEX-suppressed finding is listed");
    assert_eq!(suppressed["analysis"]["state"], "not_affected");
    assert_eq!(
        suppressed["analysis"]["justification"],
        "code_not_reachable"
    );
    assert_eq!(
        suppressed["affects"][0]["versions"][0]["status"],
        "unaffected"
    );
}

/// The reference implementations accept what we sign: securesystemslib verifies the DSSE
/// envelope with the public key, in-toto-attestation validates the Statement v1 (both installed
/// by .ci/run); and securesystemslib refuses the envelope once its payload is altered.
#[test]
fn reference_dsse_and_in_toto_implementations_accept_the_signed_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key_id = keygen(d, "signer");
    let envelope_path = d.join("report.dsse.json");
    signed_scan(d, &d.join("signer.key"), &envelope_path);
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/signed_reports/reference_check.py");
    let check = |envelope: &Path| {
        Command::new("python3")
            .arg(&script)
            .arg(envelope)
            .arg(d.join("signer.pub"))
            .arg(&key_id)
            .output()
            .expect("run python3")
    };
    let out = check(&envelope_path);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("ok https://in-toto.io/attestation/vulns/v0.2"));

    let mut envelope: Value =
        serde_json::from_slice(&std::fs::read(&envelope_path).unwrap()).unwrap();
    let mut payload = B64.decode(envelope["payload"].as_str().unwrap()).unwrap();
    let at = payload.len() / 2;
    payload[at] ^= 0x01;
    envelope["payload"] = B64.encode(&payload).into();
    let tampered = d.join("tampered.json");
    std::fs::write(&tampered, serde_json::to_vec(&envelope).unwrap()).unwrap();
    let out = check(&tampered);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("VerificationError"));
}
