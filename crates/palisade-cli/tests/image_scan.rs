//! `palisade image scan` on the real test image against the real OSV data.

mod common;

use common::{images, palisade};

fn osv(ecosystem: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/osv")
        .join(ecosystem)
        .join("all.zip")
        .display()
        .to_string()
}

/// The real test image (old Python and npm packages on Debian 12) as a docker-archive.
fn test_image() -> String {
    format!(
        "docker-archive:{}",
        images().join("app-docker.tar").display()
    )
}

#[test]
fn the_old_python_packages_are_reported_with_their_fixes() {
    let cache = tempfile::tempdir().unwrap();
    let image = test_image();
    let out = palisade(
        &[
            "image",
            "scan",
            &image,
            "--osv",
            &osv("PyPI"),
            "--osv",
            &osv("Go"),
            "-f",
            "json",
        ],
        cache.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["databases"].as_array().unwrap().len(), 2);
    assert_eq!(report["databases"][0]["records"], 2661);
    let findings = report["findings"].as_array().unwrap();
    let find = |package: &str, alias: &str| {
        findings.iter().find(|f| {
            f["package"] == package
                && (f["id"] == alias
                    || f["aliases"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x == alias)))
        })
    };
    let requests = find("requests", "PYSEC-2018-28").expect("requests 2.19.0: PYSEC-2018-28");
    assert_eq!(requests["id"], "CVE-2018-18074");
    assert_eq!(requests["fixed_version"], "2.20.0");
    assert_eq!(requests["version"], "2.19.0");
    assert!(requests["introduced_by"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert!(find("PyYAML", "PYSEC-2020-96").is_some());
    assert!(find("urllib3", "PYSEC-2019-133").is_some());
    // Outside the ranges: PyYAML 5.3 is not in [5.1, 5.2b1).
    assert!(find("PyYAML", "PYSEC-2020-176").is_none());
    // One finding per vulnerability per package.
    let mut keys: Vec<(String, String)> = findings
        .iter()
        .map(|f| (f["package"].to_string(), f["id"].to_string()))
        .collect();
    let total = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), total);
    // No Debian package is matched against language data.
    assert!(findings.iter().all(|f| f["ecosystem"] != "deb"));
    // One upgrade per vulnerable package, the highest fixed version under PEP 440
    // (1.26.18, where a string comparison would pick 1.26.5).
    let remediations = report["remediations"].as_array().unwrap();
    assert_eq!(remediations.len(), 4);
    let urllib3 = remediations
        .iter()
        .find(|r| r["package"] == "urllib3")
        .unwrap();
    assert_eq!(urllib3["upgrade_to"], "1.26.18");
    let urllib3_findings = findings
        .iter()
        .filter(|f| f["package"] == "urllib3")
        .count();
    assert_eq!(
        urllib3["fixes"].as_u64().unwrap() as usize,
        urllib3_findings
    );
}

#[test]
fn exploited_vulnerabilities_are_marked_from_the_real_kev_catalog_and_listed_first() {
    // A root filesystem with salt 3000.1 (CVE-2020-11651 and CVE-2020-11652, both in KEV) and
    // an unrelated old package.
    let root = tempfile::tempdir().unwrap();
    for (name, version) in [("salt", "3000.1"), ("requests", "2.19.0")] {
        let dir = root.path().join(format!(
            "usr/lib/python3/dist-packages/{name}-{version}.dist-info"
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("METADATA"),
            format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n"),
        )
        .unwrap();
    }
    let kev = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/kev/known_exploited_vulnerabilities.json");
    let cache = tempfile::tempdir().unwrap();
    let out = palisade(
        &[
            "image",
            "scan",
            &format!("dir:{}", root.path().display()),
            "--osv",
            &osv("PyPI"),
            "--kev",
            kev.to_str().unwrap(),
            "-f",
            "json",
        ],
        cache.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let salt = findings
        .iter()
        .find(|f| f["id"] == "CVE-2020-11651")
        .expect("salt 3000.1: CVE-2020-11651");
    assert_eq!(salt["fixed_version"], "3000.2");
    assert!(salt["kev"]["date_added"]
        .as_str()
        .unwrap()
        .starts_with("20"));
    assert!(salt["kev"]["required_action"].is_string());
    // Exploited findings come first; requests' are not exploited.
    let first_plain = findings.iter().position(|f| f["kev"].is_null()).unwrap();
    assert!(findings[..first_plain]
        .iter()
        .all(|f| f["package"] == "salt"));
    assert!(findings
        .iter()
        .any(|f| f["package"] == "requests" && f["kev"].is_null()));
    assert_eq!(report["databases"][1]["records"], 1404);
}

#[test]
fn severity_comes_from_cvss_and_fail_on_gates_the_exit_code() {
    let cache = tempfile::tempdir().unwrap();
    let image = test_image();
    let pypi = osv("PyPI");
    let run = |extra: &[&str]| {
        let mut args = vec!["image", "scan", &image, "--osv", &pypi, "-f", "json"];
        args.extend_from_slice(extra);
        palisade(&args, cache.path())
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    // The advisory's own CVSS v3.1 vector gives the score and the rating.
    let urllib3 = findings
        .iter()
        .find(|f| f["id"] == "CVE-2023-43804")
        .unwrap();
    assert_eq!(
        urllib3["cvss"]["vector"],
        "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N"
    );
    assert_eq!(urllib3["cvss"]["score"], 8.1);
    assert_eq!(urllib3["severity"], "HIGH");
    // Most severe first.
    assert_eq!(findings[0]["severity"], "HIGH");
    let rank = |s: &str| {
        ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
            .iter()
            .position(|x| *x == s)
    };
    let ranks: Vec<_> = findings
        .iter()
        .map(|f| rank(f["severity"].as_str().unwrap()))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");

    assert_eq!(run(&["--fail-on", "high"]).status.code(), Some(1));
    assert_eq!(run(&["--fail-on", "critical"]).status.code(), Some(0));
    assert_eq!(run(&["--fail-on", "bogus"]).status.code(), Some(2));
    let fixed_only: serde_json::Value =
        serde_json::from_slice(&run(&["--ignore-unfixed"]).stdout).unwrap();
    assert!(fixed_only["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["fixed_version"].is_string()));
}

#[test]
fn sarif_of_a_real_scan_is_valid_against_the_official_schema() {
    let cache = tempfile::tempdir().unwrap();
    let image = test_image();
    let out = palisade(
        &[
            "image",
            "scan",
            &image,
            "--osv",
            &osv("PyPI"),
            "-f",
            "sarif",
        ],
        cache.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../palisade-report/schemas/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| e.to_string())
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 13);
    let requests = results
        .iter()
        .find(|r| r["ruleId"] == "CVE-2018-18074")
        .unwrap();
    assert_eq!(
        requests["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "opt/app/site-packages/requests-2.19.0.dist-info/METADATA"
    );
}

#[test]
fn ignore_files_and_openvex_suppress_findings_with_their_reasons() {
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let image = test_image();
    let ignore = work.path().join("ignore");
    std::fs::write(
        &ignore,
        "# reviewed 2026-11\n\
         CVE-2018-18074 exp:2099-12-31 # only internal HTTP\n\
         CVE-2020-1747 exp:2000-01-01 # expired: applies no more\n",
    )
    .unwrap();
    let vex = work.path().join("app.openvex.json");
    std::fs::write(
        &vex,
        r#"{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/app-1",
  "author": "Palisade tests",
  "timestamp": "2026-11-24T00:00:00Z",
  "version": 1,
  "statements": [
    {"vulnerability": {"name": "CVE-2020-14343"},
     "products": [{"@id": "pkg:pypi/pyyaml"}],
     "status": "not_affected",
     "justification": "vulnerable_code_not_in_execute_path"},
    {"vulnerability": {"name": "CVE-2019-10906"},
     "products": [{"@id": "pkg:pypi/jinja2"}],
     "status": "affected",
     "action_statement": "upgrade"}
  ]
}"#,
    )
    .unwrap();
    let out = palisade(
        &[
            "image",
            "scan",
            &image,
            "--osv",
            &osv("PyPI"),
            "--ignore-file",
            ignore.to_str().unwrap(),
            "--vex",
            vex.to_str().unwrap(),
            "-f",
            "json",
        ],
        cache.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids = |key: &str| -> Vec<String> {
        report[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| {
                        f.get("finding").unwrap_or(f)["id"]
                            .as_str()
                            .unwrap()
                            .to_string()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let kept = ids("findings");
    let suppressed = ids("suppressed");
    assert!(
        suppressed.contains(&"CVE-2018-18074".to_string()),
        "{suppressed:?}"
    );
    assert!(
        suppressed.contains(&"CVE-2020-14343".to_string()),
        "{suppressed:?}"
    );
    // Expired lines and `affected` statements suppress nothing.
    assert!(kept.contains(&"CVE-2020-1747".to_string()));
    assert!(kept.contains(&"CVE-2019-10906".to_string()));
    let pyyaml = report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["finding"]["id"] == "CVE-2020-14343")
        .unwrap();
    assert_eq!(pyyaml["suppression"]["status"], "not_affected");
    assert_eq!(
        pyyaml["suppression"]["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    let requests = report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["finding"]["id"] == "CVE-2018-18074")
        .unwrap();
    assert_eq!(requests["suppression"]["reason"], "only internal HTTP");

    // A malformed ignore file is an error with file and line.
    std::fs::write(&ignore, "CVE-1 exp:soon\n").unwrap();
    let bad = palisade(
        &[
            "image",
            "scan",
            &image,
            "--osv",
            &osv("PyPI"),
            "--ignore-file",
            ignore.to_str().unwrap(),
        ],
        cache.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains(":1:"));
}
