//! Signed reports: the DSSE envelope and in-toto statement `image scan --sign` writes, what
//! `report verify` accepts and everything it must refuse; and key interoperability with OpenSSL
//! (the real `openssl` binary).

use std::path::Path;
use std::process::Command;

use base64::Engine;
use palisade_model::{
    Artifact, ArtifactKind, Cvss, DatabaseInfo, Ecosystem, Finding, KevInfo, Location, ScanReport,
    Severity,
};
use palisade_report::dsse::{DsseError, Envelope};
use palisade_report::intoto::{
    self, AttestationContext, AttestationError, INTOTO_PAYLOAD_TYPE, STATEMENT_TYPE,
    VULNS_PREDICATE_TYPE,
};
use palisade_report::keys::{self, PrivateKey, PublicKey};
use serde_json::Value;

const CONFIG: &str = "sha256:5b0c4cbd8b1a5e1e0c7a3d8f9e2b7c6a4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn report() -> ScanReport {
    let finding = |id: &str, severity: Severity| Finding {
        id: id.into(),
        aliases: vec!["PYSEC-2018-28".into()],
        summary: Some("Insufficiently protected credentials".into()),
        severity,
        cvss: Some(Cvss {
            vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into(),
            score: 7.5,
        }),
        package: "requests".into(),
        version: "2.19.0".into(),
        ecosystem: Ecosystem::PyPI,
        purl: "pkg:pypi/requests@2.19.0".into(),
        fixed_version: Some("2.20.0".into()),
        locations: vec![Location {
            path: "usr/lib/python3/dist-packages/requests-2.19.0.dist-info/METADATA".into(),
            layer: None,
        }],
        introduced_by: None,
        kev: None,
        epss: None,
        status: palisade_model::FixStatus::Fixed,
        severity_source: None,
        cwes: Vec::new(),
    };
    let mut exploited = finding("CVE-2020-11651", Severity::Critical);
    exploited.kev = Some(KevInfo {
        name: None,
        date_added: Some("2021-11-03".into()),
        due_date: None,
        required_action: None,
        known_ransomware_campaign_use: false,
    });
    exploited.cvss = None;
    ScanReport {
        source: "docker-archive:app.tar".into(),
        artifact: Artifact {
            name: "registry.local/app:1.0".into(),
            kind: ArtifactKind::Image,
            manifest_digest: None,
            config_digest: Some(CONFIG.into()),
            repo_tags: Vec::new(),
            repo_digests: Vec::new(),
            architecture: None,
            os: None,
            layers: Vec::new(),
        },
        os: None,
        databases: vec![
            DatabaseInfo {
                source: "PyPI/all.zip".into(),
                digest: "sha256:aaaa".into(),
                records: 2661,
                skipped: 0,
            },
            DatabaseInfo {
                source: "kev.json".into(),
                digest: "sha256:bbbb".into(),
                records: 1404,
                skipped: 0,
            },
        ],
        packages_scanned: 12,
        findings: vec![exploited, finding("CVE-2018-18074", Severity::High)],
        suppressed: Vec::new(),
        remediations: Vec::new(),
    }
}

fn ctx() -> AttestationContext {
    AttestationContext {
        scan_started_on: "2026-11-24T01:00:00Z".into(),
        scan_finished_on: "2026-11-24T01:00:02Z".into(),
        db_last_update: Some("2026-11-23T06:00:00Z".into()),
        tool_version: "0.1.0".into(),
    }
}

fn signed(key: &PrivateKey) -> Vec<u8> {
    intoto::sign_report(&report(), &ctx(), key).unwrap()
}

fn envelope_json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

fn statement_json(envelope: &Value) -> Value {
    let payload = B64.decode(envelope["payload"].as_str().unwrap()).unwrap();
    serde_json::from_slice(&payload).unwrap()
}

#[test]
fn the_envelope_and_statement_have_the_published_shapes() {
    let key = PrivateKey::generate().unwrap();
    let envelope = envelope_json(&signed(&key));
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    assert_eq!(envelope["signatures"].as_array().unwrap().len(), 1);
    assert_eq!(
        envelope["signatures"][0]["keyid"],
        key.public_key().key_id()
    );
    let sig = B64
        .decode(envelope["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    assert_eq!(sig.len(), 64);

    let s = statement_json(&envelope);
    assert_eq!(s["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        s["predicateType"],
        "https://in-toto.io/attestation/vulns/v0.2"
    );
    assert_eq!(s["subject"][0]["name"], "registry.local/app:1.0");
    assert_eq!(
        s["subject"][0]["digest"]["sha256"],
        CONFIG.trim_start_matches("sha256:")
    );
    let p = &s["predicate"];
    assert_eq!(p["scanner"]["uri"], "pkg:generic/palisade@0.1.0");
    assert_eq!(p["scanner"]["version"], "0.1.0");
    assert_eq!(p["scanner"]["db"]["lastUpdate"], "2026-11-23T06:00:00Z");
    // Two databases: the version is a digest over both digests.
    let db_version = p["scanner"]["db"]["version"].as_str().unwrap();
    assert!(db_version.starts_with("sha256:") && db_version.len() == 71);
    assert_eq!(p["metadata"]["scanStartedOn"], "2026-11-24T01:00:00Z");
    assert_eq!(p["metadata"]["scanFinishedOn"], "2026-11-24T01:00:02Z");
    let results = p["scanner"]["result"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["id"], "CVE-2020-11651");
    assert_eq!(
        results[0]["severity"],
        serde_json::json!([{"method": "palisade", "score": "critical"}])
    );
    assert_eq!(
        results[1]["severity"][1],
        serde_json::json!({"method": "cvss_v3_score", "score": "7.5"})
    );
    // The finding's other fields ride along as an annotation.
    assert_eq!(results[1]["annotations"][0]["fixed_version"], "2.20.0");
    assert_eq!(results[1]["annotations"][0]["package"], "requests");
    assert_eq!(
        results[0]["annotations"][0]["kev"]["date_added"],
        "2021-11-03"
    );
    // The whole report is carried for `report verify -f json`.
    let embedded: ScanReport = serde_json::from_value(p["palisadeReport"].clone()).unwrap();
    assert_eq!(embedded, report());
}

#[test]
fn a_signed_report_verifies_with_its_public_key() {
    let key = PrivateKey::generate().unwrap();
    let verified = intoto::verify_report(&signed(&key), &key.public_key()).unwrap();
    assert_eq!(verified.key_id, key.public_key().key_id());
    assert_eq!(verified.statement.statement_type, STATEMENT_TYPE);
    assert_eq!(verified.statement.predicate_type, VULNS_PREDICATE_TYPE);
    assert_eq!(verified.statement.predicate.report, Some(report()));
}

#[test]
fn a_tampered_payload_is_refused() {
    let key = PrivateKey::generate().unwrap();
    let mut envelope = envelope_json(&signed(&key));
    let mut statement = statement_json(&envelope);
    // Hide the critical finding.
    statement["predicate"]["scanner"]["result"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    statement["predicate"]["palisadeReport"]["findings"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    envelope["payload"] = B64.encode(serde_json::to_vec(&statement).unwrap()).into();
    let err = intoto::verify_report(&serde_json::to_vec(&envelope).unwrap(), &key.public_key())
        .unwrap_err();
    assert!(
        matches!(
            err,
            AttestationError::Envelope(DsseError::BadSignature { .. })
        ),
        "{err}"
    );
    assert!(!err.is_unreadable());
    assert!(err.to_string().contains("does not verify"), "{err}");
}

#[test]
fn a_report_signed_by_another_key_is_refused() {
    let key = PrivateKey::generate().unwrap();
    let other = PrivateKey::generate().unwrap().public_key();
    let err = intoto::verify_report(&signed(&key), &other).unwrap_err();
    assert!(
        matches!(err, AttestationError::Envelope(DsseError::WrongKey { .. })),
        "{err}"
    );
}

#[test]
fn a_keyid_swapped_for_the_verifiers_is_refused() {
    // Signed by an attacker's key, then labelled with the victim's key id.
    let attacker = PrivateKey::generate().unwrap();
    let victim = PrivateKey::generate().unwrap().public_key();
    let mut envelope = envelope_json(&signed(&attacker));
    envelope["signatures"][0]["keyid"] = victim.key_id().into();
    let err = intoto::verify_report(&serde_json::to_vec(&envelope).unwrap(), &victim).unwrap_err();
    assert!(
        matches!(
            err,
            AttestationError::Envelope(DsseError::BadSignature { .. })
        ),
        "{err}"
    );
    // And the genuine signature with a foreign key id is not tried either.
    let key = PrivateKey::generate().unwrap();
    let mut envelope = envelope_json(&signed(&key));
    envelope["signatures"][0]["keyid"] = victim.key_id().into();
    assert!(matches!(
        intoto::verify_report(&serde_json::to_vec(&envelope).unwrap(), &key.public_key()),
        Err(AttestationError::Envelope(DsseError::WrongKey { .. }))
    ));
}

#[test]
fn truncated_base64_is_refused() {
    let key = PrivateKey::generate().unwrap();
    let public = key.public_key();
    for field in ["payload", "sig"] {
        for cut in [1, 2, 3, 10] {
            let mut envelope = envelope_json(&signed(&key));
            let target = if field == "payload" {
                &mut envelope["payload"]
            } else {
                &mut envelope["signatures"][0]["sig"]
            };
            // Padding is optional in DSSE: cut real data, not just the `=`.
            let text = target.as_str().unwrap().trim_end_matches('=').to_string();
            *target = text[..text.len() - cut].into();
            let result = intoto::verify_report(&serde_json::to_vec(&envelope).unwrap(), &public);
            let err = result.expect_err("truncated base64 accepted");
            assert!(!err.is_unreadable(), "{field} cut {cut}: {err}");
        }
    }
}

#[test]
fn a_validly_signed_payload_of_the_wrong_shape_is_refused() {
    let key = PrivateKey::generate().unwrap();
    let public = key.public_key();
    let good = statement_json(&envelope_json(&signed(&key)));
    let resign = |statement: &Value, payload_type: &str| {
        let payload = serde_json::to_vec(statement).unwrap();
        let bytes = Envelope::sign(payload_type, &payload, &key)
            .to_json()
            .unwrap();
        intoto::verify_report(&bytes, &public)
    };
    assert!(resign(&good, INTOTO_PAYLOAD_TYPE).is_ok());
    assert!(matches!(
        resign(&good, "application/json"),
        Err(AttestationError::Envelope(DsseError::PayloadType { .. }))
    ));
    type Mutation = (&'static str, fn(&mut Value));
    let mutations: [Mutation; 6] = [
        ("_type", |s| {
            s["_type"] = "https://in-toto.io/Statement/v0.1".into()
        }),
        ("predicateType", |s| {
            s["predicateType"] = "https://slsa.dev/provenance/v1".into()
        }),
        ("subject", |s| s["subject"] = serde_json::json!([])),
        ("sha256", |s| {
            s["subject"][0]["digest"]["sha256"] = "abc".into()
        }),
        ("scanStartedOn", |s| {
            s["predicate"]["metadata"]
                .as_object_mut()
                .unwrap()
                .remove("scanStartedOn");
        }),
        ("findings", |s| {
            s["predicate"]["scanner"]["result"]
                .as_array_mut()
                .unwrap()
                .pop();
        }),
    ];
    for (what, mutate) in mutations {
        let mut statement = good.clone();
        mutate(&mut statement);
        let err = resign(&statement, INTOTO_PAYLOAD_TYPE).expect_err(what);
        assert!(matches!(err, AttestationError::Shape(_)), "{what}: {err:?}");
    }
    assert!(matches!(
        resign(&Value::String("x".into()), INTOTO_PAYLOAD_TYPE),
        Err(AttestationError::NotAStatement(_))
    ));
}

#[test]
fn garbage_is_unreadable_not_invalid() {
    let key = PrivateKey::generate().unwrap().public_key();
    for bad in [&b"not json"[..], b"{}", b"{\"payloadType\": 1}"] {
        assert!(intoto::verify_report(bad, &key)
            .unwrap_err()
            .is_unreadable());
    }
}

#[test]
fn directories_have_no_digest_to_sign() {
    let mut r = report();
    r.artifact.kind = ArtifactKind::Directory;
    r.artifact.config_digest = None;
    let key = PrivateKey::generate().unwrap();
    assert!(matches!(
        intoto::sign_report(&r, &ctx(), &key),
        Err(AttestationError::NoDigest(_))
    ));
    r.artifact.manifest_digest = Some("sha512:abcd".into());
    assert!(matches!(
        intoto::sign_report(&r, &ctx(), &key),
        Err(AttestationError::BadDigest(_))
    ));
}

fn openssl(args: &[&str], dir: &Path) -> std::process::Output {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl (installed by .ci/run)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn keys_and_signatures_interoperate_with_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // Our key → OpenSSL reads both halves and derives the same public key.
    let ours = PrivateKey::generate().unwrap();
    std::fs::write(d.join("ours.key"), ours.to_pem().unwrap().as_bytes()).unwrap();
    std::fs::write(d.join("ours.pub"), ours.public_key().to_pem().unwrap()).unwrap();
    let derived = openssl(&["pkey", "-in", "ours.key", "-pubout"], d);
    assert_eq!(
        String::from_utf8(derived.stdout).unwrap(),
        ours.public_key().to_pem().unwrap()
    );
    let text = openssl(&["pkey", "-pubin", "-in", "ours.pub", "-noout", "-text"], d);
    assert!(String::from_utf8_lossy(&text.stdout).contains("ED25519 Public-Key"));
    // The key id is the sha256 of the DER OpenSSL writes.
    let der = openssl(&["pkey", "-pubin", "-in", "ours.pub", "-outform", "DER"], d);
    use sha2::Digest;
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&der.stdout)),
        ours.public_key().key_id()
    );

    // Our signature verifies in OpenSSL.
    let message = palisade_report::dsse::pae(INTOTO_PAYLOAD_TYPE, b"{\"hello\":\"world\"}");
    std::fs::write(d.join("msg"), &message).unwrap();
    std::fs::write(d.join("ours.sig"), keys::sign_bytes(&ours, &message)).unwrap();
    let verified = openssl(
        &[
            "pkeyutl", "-verify", "-pubin", "-inkey", "ours.pub", "-rawin", "-in", "msg",
            "-sigfile", "ours.sig",
        ],
        d,
    );
    assert!(String::from_utf8_lossy(&verified.stdout).contains("Signature Verified Successfully"));

    // OpenSSL's key and signature → we read and verify them.
    openssl(
        &["genpkey", "-algorithm", "ed25519", "-out", "theirs.key"],
        d,
    );
    openssl(
        &["pkey", "-in", "theirs.key", "-pubout", "-out", "theirs.pub"],
        d,
    );
    openssl(
        &[
            "pkeyutl",
            "-sign",
            "-inkey",
            "theirs.key",
            "-rawin",
            "-in",
            "msg",
            "-out",
            "theirs.sig",
        ],
        d,
    );
    let theirs_pub =
        PublicKey::from_pem(&std::fs::read_to_string(d.join("theirs.pub")).unwrap()).unwrap();
    let sig = std::fs::read(d.join("theirs.sig")).unwrap();
    keys::verify_bytes(&theirs_pub, &message, &sig).unwrap();
    let mut altered = message.clone();
    altered[0] ^= 1;
    assert!(keys::verify_bytes(&theirs_pub, &altered, &sig).is_err());
    // Their private key loads, and signs exactly as OpenSSL does (Ed25519 is deterministic).
    let theirs =
        PrivateKey::from_pem(&std::fs::read_to_string(d.join("theirs.key")).unwrap()).unwrap();
    assert_eq!(theirs.public_key(), theirs_pub);
    assert_eq!(keys::sign_bytes(&theirs, &message).to_vec(), sig);
}

/// The fuzz seeds were signed by another implementation (Python `cryptography`, Ed25519 seed
/// bytes 0..32); they verify here, and so does the statement inside.
#[test]
fn envelopes_signed_elsewhere_verify() {
    const KEY: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAA6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=
-----END PUBLIC KEY-----
";
    let key = PublicKey::from_pem(KEY).unwrap();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/dsse_envelope");
    for name in ["small.json", "palisade-report.json", "two-signatures.json"] {
        let bytes = std::fs::read(seeds.join(name)).unwrap();
        let verified =
            intoto::verify_report(&bytes, &key).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(verified.statement.subject.len(), 1, "{name}");
    }
    let other = PrivateKey::generate().unwrap().public_key();
    let bytes = std::fs::read(seeds.join("small.json")).unwrap();
    assert!(intoto::verify_report(&bytes, &other).is_err());
}
