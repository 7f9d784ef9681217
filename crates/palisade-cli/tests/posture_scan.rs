//! `palisade posture scan` end to end: the real binary over the manifest corpus in
//! tests/manifests, stdin, exceptions, frameworks, SARIF against the official schema.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn corpus(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/manifests")
        .join(rel)
        .display()
        .to_string()
}

fn palisade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["posture", "scan"])
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn finding<'a>(report: &'a Value, check: &str, object: &str) -> Option<&'a Value> {
    report["findings"].as_array().unwrap().iter().find(|f| {
        f["check_id"] == check
            && format!(
                "{}/{}",
                f["object"]["kind"].as_str().unwrap(),
                f["object"]["name"].as_str().unwrap()
            ) == object
    })
}

#[test]
fn insecure_corpus_findings_point_at_file_and_line() {
    let out = palisade(&[&corpus("insecure"), "-f", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let privileged = finding(&report, "PAL-K8S-003", "DaemonSet/node-agent").unwrap();
    assert!(privileged["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("privileged-daemonset.yaml"));
    assert_eq!(privileged["location"]["line"], 25);
    assert_eq!(
        privileged["pointer"],
        "/spec/template/spec/containers/0/securityContext/privileged"
    );
    assert_eq!(privileged["patch_at"], "/spec/template/spec/containers/0");
    let docker = finding(&report, "PAL-K8S-036", "DaemonSet/node-agent").unwrap();
    assert_eq!(docker["location"]["line"], 35);
    // JSON List items keep their own lines.
    let shared = finding(&report, "PAL-K8S-054", "Deployment/ledger").unwrap();
    assert!(shared["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with(".json"));
    assert_eq!(shared["location"]["line"], 19);
    // Every one of the 85 checks fires somewhere in the insecure corpus (the registry
    // allow-list check once an allow-list is given).
    let with_registry = json(&palisade(&[
        &corpus("insecure"),
        "-f",
        "json",
        "--allowed-registry",
        "registry.example.com",
    ]));
    let fired: std::collections::BTreeSet<String> = with_registry["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check_id"].as_str().unwrap().to_owned())
        .collect();
    let all: std::collections::BTreeSet<String> =
        (1..=85).map(|i| format!("PAL-K8S-{i:03}")).collect();
    let missing: Vec<_> = all.difference(&fired).collect();
    assert!(missing.is_empty(), "never fired: {missing:?}");
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(
        palisade(&[&corpus("insecure"), "--fail-on", "high"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn hardened_corpus_passes_the_restricted_profile_and_the_gate() {
    let out = palisade(&[
        &corpus("hardened"),
        "-f",
        "json",
        "--framework",
        "pss-restricted",
        "--fail-on",
        "low",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report = json(&out);
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        0,
        "{:#}",
        report["findings"]
    );
    let c = &report["compliance"];
    assert_eq!(c["framework"], "pss-restricted");
    assert_eq!(c["failed"], 0);
    assert_eq!(c["passed"], 15);
    assert_eq!(c["score"], 100.0);

    let all = json(&palisade(&[&corpus("hardened"), "-f", "json"]));
    assert_eq!(
        all["findings"].as_array().unwrap().len(),
        0,
        "{:#}",
        all["findings"]
    );
}

#[test]
fn framework_summary_counts_failed_controls() {
    let out = palisade(&[&corpus("insecure"), "--framework", "pss-baseline"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Pod Security Standards (baseline): 0/12 controls passed, score 0.0%"),
        "{text}"
    );
    assert!(text.contains("FAIL privileged"), "{text}");
    // Only the framework's checks run.
    let report = json(&palisade(&[
        &corpus("insecure"),
        "-f",
        "json",
        "--framework",
        "pss-baseline",
    ]));
    assert!(report["findings"].as_array().unwrap().iter().all(|f| {
        let n: u32 = f["check_id"].as_str().unwrap()[8..].parse().unwrap();
        n <= 12
    }));
}

#[test]
fn invalid_yaml_is_reported_and_the_scan_goes_on() {
    let out = palisade(&[&corpus("invalid"), "-f", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0]["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("broken-indentation.yaml"));
    assert_eq!(errors[0]["location"]["line"], 13);
    assert!(errors[1]["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("tab-indentation.yaml"));
    assert_eq!(errors[1]["location"]["line"], 4);
    // The document after the broken one is still checked; unknown kinds are skipped silently.
    assert!(finding(&report, "PAL-K8S-002", "Pod/after-the-error").is_some());
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["object"]["kind"] != "Certificate"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken-indentation.yaml:13"));
}

#[test]
fn stdin_and_owner_deduplication() {
    let manifests = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\nspec:\n  template:\n    spec:\n      hostPID: true\n      containers: [{name: c, image: nginx}]\n---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-5d4\n  namespace: a\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}]\nspec:\n  template:\n    spec:\n      hostPID: true\n      containers: [{name: c, image: nginx}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-5d4-x\n  namespace: a\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d4, uid: u2, controller: true}]\nspec:\n  hostPID: true\n  containers: [{name: c, image: nginx}]\n";
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["posture", "scan", "-", "-f", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(manifests.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let host_pid: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check_id"] == "PAL-K8S-002")
        .collect();
    assert_eq!(host_pid.len(), 1, "reported once, on the Deployment");
    assert_eq!(host_pid[0]["object"]["kind"], "Deployment");
    assert_eq!(host_pid[0]["location"]["file"], "-");
    assert_eq!(host_pid[0]["location"]["line"], 7);
    assert_eq!(report["summary"]["templates"], 1);
}

#[test]
fn exceptions_from_a_file_and_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let exceptions = dir.path().join("exceptions.yaml");
    std::fs::write(
        &exceptions,
        "exceptions:\n- check: PAL-K8S-003\n  namespace: monitoring\n  name: node-*\n  reason: vendor agent, reviewed\n  expires: 2099-01-01\n- check: PAL-K8S-002\n  name: node-agent\n  reason: expired\n  expires: 2001-01-01\n",
    )
    .unwrap();
    let out = palisade(&[
        &corpus("insecure/privileged-daemonset.yaml"),
        "-f",
        "json",
        "--exceptions",
        exceptions.to_str().unwrap(),
    ]);
    let report = json(&out);
    assert!(finding(&report, "PAL-K8S-003", "DaemonSet/node-agent").is_none());
    assert!(
        finding(&report, "PAL-K8S-002", "DaemonSet/node-agent").is_some(),
        "expired exception no longer applies"
    );
    let suppressed = report["suppressed"].as_array().unwrap();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["reason"], "vendor agent, reviewed");

    let annotated = dir.path().join("annotated.yaml");
    std::fs::write(&annotated, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: a\n  annotations:\n    palisade.dev/exceptions: PAL-K8S-002 until 2099-12-31\nspec:\n  hostPID: true\n  containers: [{name: c, image: nginx}]\n").unwrap();
    let report = json(&palisade(&[annotated.to_str().unwrap(), "-f", "json"]));
    assert!(finding(&report, "PAL-K8S-002", "Pod/p").is_none());
    assert_eq!(report["summary"]["suppressed"], 1);

    std::fs::write(&exceptions, "exceptions:\n- check: X\n  expires: someday\n").unwrap();
    assert_eq!(
        palisade(&[
            &annotated.display().to_string(),
            "--exceptions",
            exceptions.to_str().unwrap()
        ])
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let out = palisade(&[&corpus("insecure"), "-f", "sarif"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema_path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../palisade-report/schemas/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(schema_path).unwrap()).unwrap();
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
    let report = json(&palisade(&[&corpus("insecure"), "-f", "json"]));
    assert_eq!(results.len(), report["findings"].as_array().unwrap().len());
    let r = results
        .iter()
        .find(|r| {
            r["ruleId"] == "PAL-K8S-003"
                && r["message"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("node-agent")
        })
        .unwrap();
    assert!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("insecure/privileged-daemonset.yaml")
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        25
    );
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "PAL-K8S-003"
    );
}

#[test]
fn bad_arguments_and_missing_paths_exit_2() {
    assert_eq!(
        palisade(&["/nonexistent/manifests.yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(
        palisade(&[&corpus("insecure"), "--framework", "pci"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn inventory_graph_shows_exposure_images_and_permissions() {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["posture", "inventory", &corpus("insecure"), "-f", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let g = json(&out);
    let node = |id: &str| {
        g["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .cloned()
    };
    let redis = node("Deployment/cache/redis").unwrap();
    assert_eq!(
        redis["properties"]["internetFacing"], true,
        "LoadBalancer Service selects it"
    );
    assert_eq!(
        node("StatefulSet/analytics/analytics-db").unwrap()["properties"]["internetFacing"],
        false
    );
    let edges = g["edges"].as_array().unwrap();
    assert!(edges
        .iter()
        .any(|e| e["from"] == "Container/Deployment/cache/redis/redis"
            && e["to"] == "Image/redis:7.2"
            && e["relation"] == "runs-image"));
    assert!(edges.iter().any(|e| e["from"] == "Internet"
        && e["to"] == "Service/cache/redis"
        && e["relation"] == "exposes"));
    // The backup operator's rules reach every service account through system:serviceaccounts.
    let group = node("Group/system:serviceaccounts").unwrap();
    let rules = group["properties"]["effectiveRules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "secrets")
        && r["scope"] == "cluster"));
}
