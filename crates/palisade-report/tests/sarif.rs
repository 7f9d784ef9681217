//! SARIF 2.1.0 output of scan results, validated against the official OASIS schema
//! (`schemas/sarif-schema-2.1.0.json`), and the parts GitHub code scanning reads: rules,
//! levels, `security-severity`, locations and fingerprints.

use std::collections::HashSet;

use palisade_model::{
    Artifact, ArtifactKind, Cvss, DatabaseInfo, Ecosystem, Finding, KevInfo, Location, ScanReport,
    Severity,
};
use palisade_report::write_sarif;
use serde_json::Value;

const LAYER0: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const LAYER1: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

fn finding(id: &str, package: &str, version: &str, severity: Severity) -> Finding {
    Finding {
        id: id.into(),
        aliases: Vec::new(),
        summary: Some(format!("{id}: a flaw in {package}")),
        severity,
        cvss: None,
        package: package.into(),
        version: version.into(),
        ecosystem: Ecosystem::Deb,
        purl: format!("pkg:deb/debian/{package}@{version}?distro=debian-12"),
        fixed_version: Some(format!("{version}+fix1")),
        locations: vec![Location {
            path: "var/lib/dpkg/status".into(),
            layer: Some(LAYER0.into()),
        }],
        introduced_by: Some(LAYER0.into()),
        kev: None,
        epss: None,
        status: palisade_model::FixStatus::Affected,
        severity_source: None,
        cwes: Vec::new(),
    }
}

/// Six findings: CVE-2024-0001 in two packages (one with CVSS 9.8, one with KEV), a GHSA with
/// CVSS 5.3 and no fix, a PYSEC without locations, a GO advisory of low and one of unknown
/// severity.
fn report() -> ScanReport {
    let mut a = finding(
        "CVE-2024-0001",
        "libssl3",
        "3.0.11-1~deb12u2",
        Severity::Critical,
    );
    a.aliases = vec!["GHSA-aaaa-bbbb-cccc".into()];
    a.cvss = Some(Cvss {
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
        score: 9.8,
    });

    let mut b = finding(
        "CVE-2024-0001",
        "openssl",
        "3.0.11-1~deb12u2",
        Severity::Critical,
    );
    b.kev = Some(KevInfo {
        name: Some("OpenSSL flaw".into()),
        date_added: Some("2024-03-01".into()),
        due_date: Some("2024-03-22".into()),
        required_action: Some("Apply updates per vendor instructions.".into()),
        known_ransomware_campaign_use: true,
    });
    b.locations.push(Location {
        path: "usr/share/doc/openssl/copyright".into(),
        layer: Some(LAYER1.into()),
    });

    let mut c = finding("GHSA-xxxx-yyyy-zzzz", "lodash", "4.17.20", Severity::Medium);
    c.ecosystem = Ecosystem::Npm;
    c.purl = "pkg:npm/lodash@4.17.20".into();
    c.cvss = Some(Cvss {
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N".into(),
        score: 5.3,
    });
    c.fixed_version = None;
    c.locations = vec![Location {
        path: "app/node_modules/lodash/package.json".into(),
        layer: Some(LAYER1.into()),
    }];
    c.introduced_by = Some(LAYER1.into());

    let mut d = finding("PYSEC-2023-42", "requests", "2.25.0", Severity::High);
    d.ecosystem = Ecosystem::PyPI;
    d.purl = "pkg:pypi/requests@2.25.0".into();
    d.locations = Vec::new();
    d.introduced_by = None;
    d.summary = None;

    let mut e = finding("GO-2024-0100", "golang.org/x/net", "v0.1.0", Severity::Low);
    e.ecosystem = Ecosystem::Go;
    e.purl = "pkg:golang/golang.org/x/net@v0.1.0".into();
    e.locations = vec![Location {
        path: "usr/local/bin/my app".into(),
        layer: Some(LAYER1.into()),
    }];

    let f = finding("DLA-3000-1", "zlib1g", "1:1.2.13.dfsg-1", Severity::Unknown);

    ScanReport {
        source: "registry.local/app:1.0".into(),
        artifact: Artifact {
            name: "registry.local/app:1.0".into(),
            kind: ArtifactKind::Image,
            manifest_digest: None,
            config_digest: None,
            repo_tags: vec!["registry.local/app:1.0".into()],
            repo_digests: Vec::new(),
            architecture: Some("amd64".into()),
            os: Some("linux".into()),
            layers: Vec::new(),
        },
        os: None,
        databases: vec![DatabaseInfo {
            source: "osv/all.zip".into(),
            digest: "sha256:0000".into(),
            records: 10,
            skipped: 0,
        }],
        packages_scanned: 42,
        findings: vec![a, b, c, d, e, f],
        suppressed: Vec::new(),
        remediations: Vec::new(),
    }
}

fn sarif(report: &ScanReport) -> Value {
    let mut out = Vec::new();
    write_sarif(report, "0.1.0", &mut out).expect("write_sarif");
    assert!(out.ends_with(b"\n"));
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("output is not JSON: {e}"))
}

fn validator() -> jsonschema::Validator {
    let path = format!(
        "{}/schemas/sarif-schema-2.1.0.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("SARIF schema: {e}"))
}

fn assert_valid(doc: &Value, what: &str) {
    let validator = validator();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} fails the SARIF schema:\n{}",
        errors.join("\n")
    );
}

fn run(doc: &Value) -> &Value {
    let runs = doc["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    &runs[0]
}

fn rules(doc: &Value) -> &Vec<Value> {
    run(doc)["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
}

fn results(doc: &Value) -> &Vec<Value> {
    run(doc)["results"].as_array().expect("results")
}

fn rule<'a>(doc: &'a Value, id: &str) -> &'a Value {
    rules(doc)
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no rule {id}"))
}

#[test]
fn valid_against_the_official_schema() {
    let doc = sarif(&report());
    assert_valid(&doc, "scan report");
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(
        doc["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let driver = &run(&doc)["tool"]["driver"];
    assert_eq!(driver["name"], "palisade");
    assert_eq!(driver["version"], "0.1.0");
    assert_eq!(driver["semanticVersion"], "0.1.0");
    assert!(driver["informationUri"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://")));
}

#[test]
fn the_validator_rejects_invalid_sarif() {
    // Guards against a validator that accepts everything (e.g. an unresolved `$ref`).
    let validator = validator();
    let mut doc = sarif(&report());
    doc["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&doc));
    let mut doc = sarif(&report());
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&doc));
    let mut doc = sarif(&report());
    doc["version"] = "2.0.0".into();
    assert!(!validator.is_valid(&doc));
}

#[test]
fn an_empty_report_is_valid() {
    let mut r = report();
    r.findings.clear();
    let doc = sarif(&r);
    assert_valid(&doc, "empty report");
    assert!(rules(&doc).is_empty());
    assert!(results(&doc).is_empty());
}

#[test]
fn one_rule_per_id_and_consistent_rule_indexes() {
    let r = report();
    let doc = sarif(&r);
    let rules = rules(&doc);
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "CVE-2024-0001",
            "GHSA-xxxx-yyyy-zzzz",
            "PYSEC-2023-42",
            "GO-2024-0100",
            "DLA-3000-1"
        ]
    );
    let results = results(&doc);
    assert_eq!(results.len(), r.findings.len());
    for (result, f) in results.iter().zip(&r.findings) {
        assert_eq!(result["ruleId"], f.id.as_str());
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }

    let shared = rule(&doc, "CVE-2024-0001");
    assert_eq!(
        shared["shortDescription"]["text"],
        "CVE-2024-0001 in libssl3, openssl"
    );
    assert_eq!(
        shared["fullDescription"]["text"],
        "CVE-2024-0001: a flaw in libssl3"
    );
    let help = shared["help"]["text"].as_str().unwrap();
    assert!(help.contains("Package: libssl3") && help.contains("Package: openssl"));
    assert!(help.contains("Fixed version: 3.0.11-1~deb12u2+fix1"));
    assert!(shared["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("| openssl | 3.0.11-1~deb12u2 | 3.0.11-1~deb12u2+fix1 |"));
    // No summary: the id stands in.
    assert_eq!(
        rule(&doc, "PYSEC-2023-42")["fullDescription"]["text"],
        "PYSEC-2023-42"
    );
    assert!(rule(&doc, "GHSA-xxxx-yyyy-zzzz")["help"]["text"]
        .as_str()
        .unwrap()
        .contains("Fixed version: no fix available"));
}

#[test]
fn help_uris_point_at_the_advisory() {
    let doc = sarif(&report());
    for (id, uri) in [
        (
            "CVE-2024-0001",
            "https://nvd.nist.gov/vuln/detail/CVE-2024-0001",
        ),
        (
            "GHSA-xxxx-yyyy-zzzz",
            "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz",
        ),
        (
            "PYSEC-2023-42",
            "https://osv.dev/vulnerability/PYSEC-2023-42",
        ),
        ("GO-2024-0100", "https://osv.dev/vulnerability/GO-2024-0100"),
        ("DLA-3000-1", "https://osv.dev/vulnerability/DLA-3000-1"),
    ] {
        assert_eq!(rule(&doc, id)["helpUri"], uri, "{id}");
    }
}

#[test]
fn levels_and_security_severity() {
    let doc = sarif(&report());
    for (id, level, score, tag) in [
        ("CVE-2024-0001", "error", "9.8", "critical"),
        ("GHSA-xxxx-yyyy-zzzz", "warning", "5.3", "medium"),
        ("PYSEC-2023-42", "error", "8.0", "high"),
        ("GO-2024-0100", "note", "2.0", "low"),
        ("DLA-3000-1", "note", "0.0", "unknown"),
    ] {
        let r = rule(&doc, id);
        assert_eq!(r["defaultConfiguration"]["level"], level, "{id}");
        assert_eq!(r["properties"]["security-severity"], score, "{id}");
        assert_eq!(
            r["properties"]["tags"],
            serde_json::json!(["vulnerability", "security", tag]),
            "{id}"
        );
        for result in results(&doc).iter().filter(|x| x["ruleId"] == id) {
            assert_eq!(result["level"], level, "{id}");
        }
    }

    // Without CVSS, every severity gets the value of its band.
    let mut r = report();
    for f in &mut r.findings {
        f.cvss = None;
    }
    let doc = sarif(&r);
    assert_eq!(
        rule(&doc, "CVE-2024-0001")["properties"]["security-severity"],
        "9.5"
    );
    assert_eq!(
        rule(&doc, "GHSA-xxxx-yyyy-zzzz")["properties"]["security-severity"],
        "5.5"
    );
}

#[test]
fn messages_locations_and_properties() {
    let doc = sarif(&report());
    let results = results(&doc);

    let a = &results[0];
    assert_eq!(
        a["message"]["text"],
        "Package libssl3 version 3.0.11-1~deb12u2 is affected by CVE-2024-0001. \
         Fixed in 3.0.11-1~deb12u2+fix1."
    );
    let loc = &a["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "var/lib/dpkg/status"
    );
    assert_eq!(loc["physicalLocation"]["region"]["startLine"], 1);
    assert_eq!(loc["logicalLocations"][0]["name"], "libssl3");
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12"
    );
    assert_eq!(
        a["properties"]["purl"],
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12"
    );
    assert_eq!(a["properties"]["fixedVersion"], "3.0.11-1~deb12u2+fix1");
    assert_eq!(a["properties"]["layer"], LAYER0);
    assert!(a["properties"].get("kev").is_none());

    // KEV: in the message and the properties; the first location is used.
    let b = &results[1];
    let text = b["message"]["text"].as_str().unwrap();
    assert!(
        text.contains("KEV") && text.contains("2024-03-01"),
        "{text}"
    );
    assert!(text.contains("ransomware"), "{text}");
    assert_eq!(b["properties"]["kev"]["date_added"], "2024-03-01");
    assert_eq!(b["locations"].as_array().unwrap().len(), 1);
    assert_eq!(
        b["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "var/lib/dpkg/status"
    );

    // No fix.
    let c = &results[2];
    assert!(c["message"]["text"]
        .as_str()
        .unwrap()
        .ends_with("is affected by GHSA-xxxx-yyyy-zzzz. No fix is available."));
    assert!(c["properties"].get("fixedVersion").is_none());
    assert_eq!(c["properties"]["cvss"]["score"], 5.3);

    // No locations: the image stands in, percent-encoded to a relative reference.
    let d = &results[3];
    assert_eq!(
        d["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "registry.local/app%3A1.0"
    );
    assert!(d["properties"].get("layer").is_none());

    // Characters outside a URI path are percent-encoded.
    assert_eq!(
        results[4]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "usr/local/bin/my%20app"
    );
}

#[test]
fn fingerprints_are_stable_and_distinct() {
    let r = report();
    let first = sarif(&r);
    let second = sarif(&r);
    assert_eq!(first, second, "output is deterministic");

    let prints: Vec<&Value> = results(&first)
        .iter()
        .map(|x| &x["partialFingerprints"])
        .collect();
    let values: Vec<&str> = prints
        .iter()
        .map(|p| {
            let map = p.as_object().expect("partialFingerprints");
            assert_eq!(map.len(), 1);
            map.values().next().unwrap().as_str().unwrap()
        })
        .collect();
    let distinct: HashSet<&str> = values.iter().copied().collect();
    assert_eq!(distinct.len(), values.len(), "{values:?}");

    // The fingerprint of a finding does not depend on the others or on fields outside
    // id, purl and path.
    let mut changed = r.clone();
    changed.findings.remove(1);
    changed.findings[0].severity = Severity::Low;
    changed.findings[0].fixed_version = None;
    let doc = sarif(&changed);
    assert_eq!(
        results(&doc)[0]["partialFingerprints"],
        results(&first)[0]["partialFingerprints"]
    );
    // A different path is a different alert.
    changed.findings[0].locations[0].path = "var/lib/dpkg/status.d/libssl3".into();
    let doc = sarif(&changed);
    assert_ne!(
        results(&doc)[0]["partialFingerprints"],
        results(&first)[0]["partialFingerprints"]
    );
}

#[test]
fn rule_indexes_hold_when_an_id_recurs_later() {
    let mut r = report();
    let shared = r.findings.remove(1);
    r.findings.push(shared);
    let doc = sarif(&r);
    assert_valid(&doc, "reordered report");
    let rules = rules(&doc);
    assert_eq!(rules.len(), 5);
    let ids: HashSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), rules.len(), "rule ids are distinct");
    let last = results(&doc).last().unwrap();
    assert_eq!(last["ruleId"], "CVE-2024-0001");
    assert_eq!(last["ruleIndex"], 0);
    for result in results(&doc) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
}
