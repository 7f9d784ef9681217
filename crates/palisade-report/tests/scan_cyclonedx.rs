//! `image scan -f cyclonedx`: the image's packages plus `vulnerabilities`, validated against the
//! official CycloneDX 1.6 schema (`schemas/bom-1.6.schema.json`), and the fields each
//! vulnerability carries: ratings, references, affects, VEX analysis, KEV and fix properties.

use palisade_model::{
    Artifact, ArtifactKind, Cvss, DatabaseInfo, Ecosystem, Finding, Inventory, KevInfo, Location,
    Package, ScanReport, Severity, SuppressedFinding, Suppression,
};
use palisade_report::{write_vulnerability_bom, DocumentContext};
use serde_json::Value;

const LAYER: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

fn package(name: &str, version: &str, ecosystem: Ecosystem, purl: &str, path: &str) -> Package {
    let mut p = Package::new(name, version, ecosystem, path);
    p.purl = purl.into();
    p.locations = vec![Location {
        path: path.into(),
        layer: Some(LAYER.into()),
    }];
    p.introduced_by = Some(LAYER.into());
    p
}

fn finding(id: &str, p: &Package, severity: Severity) -> Finding {
    Finding {
        id: id.into(),
        aliases: Vec::new(),
        summary: Some(format!("{id} in {}", p.name)),
        severity,
        cvss: None,
        package: p.name.clone(),
        version: p.version.clone(),
        ecosystem: p.ecosystem,
        purl: p.purl.clone(),
        fixed_version: None,
        locations: p.locations.clone(),
        introduced_by: p.introduced_by.clone(),
        kev: None,
        epss: None,
        status: palisade_model::FixStatus::Affected,
        severity_source: None,
        cwes: Vec::new(),
    }
}

fn fixture() -> (Inventory, ScanReport) {
    let requests = package(
        "requests",
        "2.19.0",
        Ecosystem::PyPI,
        "pkg:pypi/requests@2.19.0",
        "usr/lib/python3/dist-packages/requests-2.19.0.dist-info/METADATA",
    );
    // The same package twice (two virtualenvs): findings must point at the right copy.
    let requests_venv = package(
        "requests",
        "2.19.0",
        Ecosystem::PyPI,
        "pkg:pypi/requests@2.19.0",
        "opt/venv/lib/python3.11/site-packages/requests-2.19.0.dist-info/METADATA",
    );
    let salt = package(
        "salt",
        "3000.1",
        Ecosystem::PyPI,
        "pkg:pypi/salt@3000.1",
        "usr/lib/python3/dist-packages/salt-3000.1.dist-info/METADATA",
    );
    let lodash = package(
        "lodash",
        "4.17.20",
        Ecosystem::Npm,
        "pkg:npm/lodash@4.17.20",
        "app/node_modules/lodash/package.json",
    );

    let mut a = finding("CVE-2018-18074", &requests, Severity::High);
    a.aliases = vec!["GHSA-x84v-xcm2-53pg".into(), "PYSEC-2018-28".into()];
    a.cvss = Some(Cvss {
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into(),
        score: 7.5,
    });
    a.fixed_version = Some("2.20.0".into());
    let mut a_venv = a.clone();
    a_venv.locations = requests_venv.locations.clone();

    let mut b = finding("CVE-2020-11651", &salt, Severity::Critical);
    b.cvss = Some(Cvss {
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
        score: 9.8,
    });
    b.fixed_version = Some("3000.2".into());
    b.kev = Some(KevInfo {
        name: Some("SaltStack Salt Authentication Bypass".into()),
        date_added: Some("2021-11-03".into()),
        due_date: Some("2022-05-03".into()),
        required_action: Some("Apply updates per vendor instructions.".into()),
        known_ransomware_campaign_use: false,
    });

    let c = finding("GHSA-p6mc-m468-83gw", &lodash, Severity::Unknown);

    let not_affected = SuppressedFinding {
        finding: finding("CVE-2021-23337", &lodash, Severity::High),
        suppression: Suppression {
            source: "app.openvex.json".into(),
            reason: Some("template() is never called".into()),
            status: Some("not_affected".into()),
            justification: Some("vulnerable_code_not_in_execute_path".into()),
        },
    };
    let accepted = SuppressedFinding {
        finding: finding("CVE-2023-32681", &requests, Severity::Medium),
        suppression: Suppression {
            source: ".palisadeignore".into(),
            reason: Some("no proxies in production".into()),
            status: None,
            justification: None,
        },
    };

    let artifact = Artifact {
        name: "registry.local/app:1.0".into(),
        kind: ArtifactKind::Image,
        manifest_digest: None,
        config_digest: Some(
            "sha256:2222222222222222222222222222222222222222222222222222222222222222".into(),
        ),
        repo_tags: Vec::new(),
        repo_digests: Vec::new(),
        architecture: None,
        os: None,
        layers: Vec::new(),
    };
    let inventory = Inventory {
        source: "docker-archive:app.tar".into(),
        artifact: artifact.clone(),
        os: None,
        packages: vec![requests, requests_venv, salt, lodash],
    };
    let report = ScanReport {
        source: inventory.source.clone(),
        artifact,
        os: None,
        databases: vec![DatabaseInfo {
            source: "PyPI/all.zip".into(),
            digest: "sha256:abcd".into(),
            records: 3,
            skipped: 0,
        }],
        packages_scanned: 4,
        findings: vec![b, a, a_venv, c],
        suppressed: vec![not_affected, accepted],
        remediations: Vec::new(),
    };
    (inventory, report)
}

fn bom() -> Value {
    let (inventory, report) = fixture();
    let ctx = DocumentContext {
        timestamp: "2026-11-24T01:02:03Z".into(),
        uuid: "0b8f3d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f".into(),
        tool_version: "0.1.0".into(),
    };
    let mut out = Vec::new();
    write_vulnerability_bom(&inventory, &report, &ctx, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn schema(name: &str) -> Value {
    let path = format!("{}/schemas/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn validator() -> jsonschema::Validator {
    let resource = |name: &str| jsonschema::Resource::from_contents(schema(name)).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .with_resource(
            "http://cyclonedx.org/schema/spdx.schema.json",
            resource("spdx.schema.json"),
        )
        .with_resource(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            resource("jsf-0.82.schema.json"),
        )
        .build(&schema("bom-1.6.schema.json"))
        .unwrap()
}

fn vuln<'a>(bom: &'a Value, id: &str, path_fragment: &str) -> &'a Value {
    let component_ref = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["evidence"]["occurrences"][0]["location"]
                .as_str()
                .is_some_and(|l| l.contains(path_fragment))
        })
        .unwrap_or_else(|| panic!("no component at {path_fragment}"))["bom-ref"]
        .clone();
    bom["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id && v["affects"][0]["ref"] == component_ref)
        .unwrap_or_else(|| panic!("no {id} for {path_fragment}"))
}

#[test]
fn valid_against_the_official_cyclonedx_1_6_schema() {
    let bom = bom();
    let errors: Vec<String> = validator()
        .iter_errors(&bom)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // One entry per finding and per suppressed finding; components are the packages.
    assert_eq!(bom["vulnerabilities"].as_array().unwrap().len(), 6);
    assert_eq!(bom["components"].as_array().unwrap().len(), 4);
    assert_eq!(bom["specVersion"], "1.6");
    // The advisory data the results came from.
    let db: Value =
        serde_json::from_str(bom["metadata"]["properties"][0]["value"].as_str().unwrap()).unwrap();
    assert_eq!(
        bom["metadata"]["properties"][0]["name"],
        "palisade:database"
    );
    assert_eq!(db["digest"], "sha256:abcd");
    assert_eq!(db["records"], 3);
}

#[test]
fn the_schema_rejects_a_broken_vulnerability() {
    // The validator really checks the vulnerabilities: a bad rating severity fails it.
    let mut bom = bom();
    bom["vulnerabilities"][0]["ratings"][0]["severity"] = "severe".into();
    assert!(!validator().is_valid(&bom));
    let mut bom2 = self::bom();
    bom2["vulnerabilities"][0]["analysis"] = serde_json::json!({"state": "ignored"});
    assert!(!validator().is_valid(&bom2));
}

#[test]
fn ratings_references_and_fix() {
    let bom = bom();
    let v = vuln(&bom, "CVE-2018-18074", "dist-packages/requests");
    assert_eq!(v["source"]["name"], "NVD");
    assert_eq!(
        v["source"]["url"],
        "https://nvd.nist.gov/vuln/detail/CVE-2018-18074"
    );
    assert_eq!(v["ratings"][0]["method"], "CVSSv31");
    assert_eq!(v["ratings"][0]["score"], 7.5);
    assert_eq!(v["ratings"][0]["severity"], "high");
    assert_eq!(
        v["ratings"][0]["vector"],
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
    );
    let refs: Vec<&str> = v["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["GHSA-x84v-xcm2-53pg", "PYSEC-2018-28"]);
    assert_eq!(v["references"][0]["source"]["name"], "GitHub Advisories");
    assert!(v["advisories"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["url"] == "https://osv.dev/vulnerability/PYSEC-2018-28"));
    assert_eq!(v["description"], "CVE-2018-18074 in requests");
    assert_eq!(v["affects"][0]["versions"][0]["version"], "2.19.0");
    assert_eq!(v["affects"][0]["versions"][0]["status"], "affected");
    let prop = |v: &Value, name: &str| {
        v["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].clone())
    };
    assert_eq!(
        prop(v, "palisade:vulnerability:fixed-version"),
        Some("2.20.0".into())
    );
    assert!(v["recommendation"].as_str().unwrap().contains("2.20.0"));
    assert!(v.get("analysis").is_none());
    // The venv copy has its own entry pointing at its own component.
    let venv = vuln(&bom, "CVE-2018-18074", "opt/venv");
    assert_ne!(venv["affects"][0]["ref"], v["affects"][0]["ref"]);
    assert_ne!(venv["bom-ref"], v["bom-ref"]);

    let salt = vuln(&bom, "CVE-2020-11651", "salt-3000.1");
    assert_eq!(prop(salt, "palisade:kev"), Some("true".into()));
    assert_eq!(
        prop(salt, "palisade:kev:date-added"),
        Some("2021-11-03".into())
    );
    assert_eq!(salt["ratings"][0]["severity"], "critical");

    // No CVSS: Palisade's own rating only, no method or score.
    let lodash = vuln(&bom, "GHSA-p6mc-m468-83gw", "lodash");
    assert_eq!(lodash["source"]["name"], "GitHub Advisories");
    assert_eq!(lodash["ratings"][0]["severity"], "unknown");
    assert!(lodash["ratings"][0].get("score").is_none());
    assert!(lodash.get("recommendation").is_none());
}

#[test]
fn suppressed_findings_carry_their_vex_analysis() {
    let bom = bom();
    let v = vuln(&bom, "CVE-2021-23337", "lodash");
    assert_eq!(v["analysis"]["state"], "not_affected");
    assert_eq!(v["analysis"]["justification"], "code_not_reachable");
    let detail = v["analysis"]["detail"].as_str().unwrap();
    assert!(detail.contains("app.openvex.json"), "{detail}");
    assert!(detail.contains("template() is never called"), "{detail}");
    assert_eq!(v["affects"][0]["versions"][0]["status"], "unaffected");

    // Accepted in .palisadeignore: still affected, nobody fixes it now.
    let accepted = vuln(&bom, "CVE-2023-32681", "dist-packages/requests");
    assert!(accepted["analysis"].get("state").is_none());
    assert_eq!(accepted["analysis"]["response"][0], "will_not_fix");
    assert_eq!(accepted["affects"][0]["versions"][0]["status"], "affected");
    assert!(accepted["analysis"]["detail"]
        .as_str()
        .unwrap()
        .contains("no proxies in production"));
}
