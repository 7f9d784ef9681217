//! `palisade posture scan --policy DIR`: Gatekeeper ConstraintTemplates run by the real binary.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn repo(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
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

const PRIVILEGED: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: palprivileged
spec:
  crd:
    spec:
      names:
        kind: PalPrivileged
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package palprivileged
        violation[{"msg": msg, "details": {"container": c.name}}] {
          c := input.review.object.spec.template.spec.containers[_]
          c.securityContext.privileged
          msg := sprintf("%v in %v runs privileged", [c.name, input.review.namespace])
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: PalPrivileged
metadata:
  name: no-privileged
spec:
  match:
    kinds: [{apiGroups: [apps], kinds: [DaemonSet, Deployment]}]
    namespaces: [monitoring]
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: PalPrivileged
metadata:
  name: elsewhere
spec:
  match:
    namespaces: [production]
"#;

#[test]
fn rego_findings_join_the_builtin_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("privileged.yaml"), PRIVILEGED).unwrap();
    let manifest = repo("tests/manifests/insecure/privileged-daemonset.yaml");
    let out = palisade(&[
        &manifest,
        "--policy",
        dir.path().to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap();
    let rego: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f["check_id"]
                .as_str()
                .unwrap()
                .starts_with("PalPrivileged/")
        })
        .collect();
    assert_eq!(rego.len(), 1, "{rego:?}");
    let f = rego[0];
    assert_eq!(f["check_id"], "PalPrivileged/no-privileged");
    assert_eq!(f["severity"], "HIGH");
    assert_eq!(f["category"], "admission");
    assert_eq!(f["message"], "agent in monitoring runs privileged");
    assert_eq!(f["object"]["kind"], "DaemonSet");
    assert_eq!(f["location"]["line"], 2);
    assert!(f["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("privileged-daemonset.yaml"));
    // The built-in checks still run.
    assert!(findings
        .iter()
        .any(|f| f["check_id"].as_str().unwrap().starts_with("PAL-K8S-")));
    assert_eq!(report["summary"]["findings"], findings.len());

    // Without --policy: no Rego findings.
    let plain = json(&palisade(&[&manifest, "-f", "json"]));
    assert_eq!(
        plain["findings"].as_array().unwrap().len() + 1,
        findings.len()
    );

    // SARIF names the constraint as a rule.
    let out = palisade(&[
        &manifest,
        "--policy",
        dir.path().to_str().unwrap(),
        "-f",
        "sarif",
    ]);
    let sarif = json(&out);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "PalPrivileged/no-privileged"));
}

#[test]
fn fixture_policies_over_fixture_manifests() {
    let out = palisade(&[
        &repo("crates/palisade-checks/fixtures/gatekeeper/manifests"),
        "--policy",
        &repo("crates/palisade-checks/fixtures/gatekeeper/policies"),
        "-f",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let mut rego: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check_id"].as_str().unwrap().starts_with("Pal"))
        .map(|f| {
            (
                f["check_id"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    rego.sort();
    rego.dedup();
    assert_eq!(
        rego,
        [
            ("PalAllowedRepos/team-a-repos".to_owned(), "LOW".to_owned()),
            (
                "PalNoPrivileged/workloads-not-privileged".to_owned(),
                "HIGH".to_owned()
            ),
            (
                "PalRequiredLabels/deployments-need-owner".to_owned(),
                "HIGH".to_owned()
            ),
            (
                "PalRequiredLabels/prod-namespaces-need-cost-center".to_owned(),
                "MEDIUM".to_owned()
            ),
        ]
    );
}

#[test]
fn a_broken_policy_is_reported_with_its_file_and_exit_2() {
    let out = palisade(&[
        &repo("tests/manifests/insecure/privileged-daemonset.yaml"),
        "--policy",
        &repo("crates/palisade-checks/fixtures/gatekeeper/broken"),
        "-f",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0]["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("bad-rego.yaml"));
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("ConstraintTemplate palbroken: rego"));
}

#[test]
fn framework_scans_keep_policy_findings_out_of_the_score_and_details_reach_every_format() {
    let policies = repo("crates/palisade-checks/fixtures/gatekeeper/policies-v1");
    let manifests = repo("crates/palisade-checks/fixtures/gatekeeper/manifests-v1");
    let with = json(&palisade(&[
        &manifests,
        "--policy",
        &policies,
        "--framework",
        "pss-restricted",
        "-f",
        "json",
    ]));
    let without = json(&palisade(&[
        &manifests,
        "--framework",
        "pss-restricted",
        "-f",
        "json",
    ]));
    let findings = with["findings"].as_array().unwrap();
    // The policies the user asked for are reported under a framework scan too...
    let limits = findings
        .iter()
        .find(|f| f["check_id"] == "PalReplicaLimits/between-two-and-five")
        .expect("policy finding kept under --framework");
    assert_eq!(limits["details"]["replicas"], 1);
    assert_eq!(
        limits["title"],
        "Replica Limits (Gatekeeper constraint PalReplicaLimits/between-two-and-five)"
    );
    // ...only the framework's own checks run among the built-in ones...
    assert!(findings.iter().all(|f| {
        let id = f["check_id"].as_str().unwrap();
        !id.starts_with("PAL-K8S-")
            || without["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["check_id"] == id)
    }));
    // ...and the compliance score is the framework's alone.
    assert_eq!(with["compliance"], without["compliance"]);
    assert!(with["compliance"]["failed"].as_u64().unwrap() > 0);
    // Built-in findings carry no details.
    assert!(findings
        .iter()
        .filter(|f| f["check_id"].as_str().unwrap().starts_with("PAL-K8S-"))
        .all(|f| f.get("details").is_none()));

    let sarif = json(&palisade(&[
        &manifests, "--policy", &policies, "-f", "sarif",
    ]));
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "PalReplicaLimits/between-two-and-five")
        .unwrap();
    assert_eq!(
        result["properties"]["details"]["allowed"][0]["max_replicas"],
        5
    );
}
