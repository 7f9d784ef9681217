//! `palisade explore` end to end: files (manifests, scan reports, alerts) and a live cluster
//! (the fake API server).

#[path = "../../palisade-k8s/tests/fake_apiserver/mod.rs"]
mod fake_apiserver;

use std::process::{Command, Output};

use fake_apiserver::FakeCluster;
use k8s_openapi::api::apps::v1::Deployment;
use serde_json::Value;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../palisade-graph/tests/fixtures/insights"
);

fn palisade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .output()
        .unwrap()
}

fn explore(sub: &[&str]) -> Output {
    let m = format!("{FIXTURE}/manifests.yaml");
    let r = format!("{FIXTURE}/reports.json");
    let a = format!("{FIXTURE}/alerts.jsonl");
    let mut args = vec!["explore"];
    args.extend_from_slice(sub);
    args.extend_from_slice(&["-f", &m, "--scan-report", &r, "--alerts", &a]);
    palisade(&args)
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn paths_templates_queries_and_risk_from_files() {
    let paths = json(&explore(&["paths", "-o", "json", "--limit", "200"]));
    assert!(paths["total"].as_u64().unwrap() > 10);
    let from_internet = paths["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["entry"] == "exposure/ingress/shop/web" && p["target"] == "cluster")
        .expect("internet → cluster-admin path");
    assert_eq!(from_internet["steps"][0]["kind"], "exposed_to_internet");
    assert!(paths["fixes"][0]["paths"].as_u64().unwrap() > 1);

    let kev = json(&explore(&["run", "kev-running", "-o", "json"]));
    assert_eq!(kev["rows"], serde_json::json!([["shop/web:1.0", 1, 1]]));

    let q = json(&explore(&[
        "query",
        "SELECT name FROM workloads WHERE privileged = 1",
        "-o",
        "json",
    ]));
    assert_eq!(q["rows"], serde_json::json!([["node-exporter"]]));

    let table = explore(&["run", "exposed-vulnerable"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("WORKLOAD"), "{text}");
    assert!(text.contains("Deployment/shop/web"), "{text}");

    let risk = json(&explore(&["risk", "-o", "json"]));
    assert_eq!(risk[0]["workload"], "Deployment/shop/web");
    assert!(risk[0]["factors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "known_exploitation" && f["multiplier"].as_f64().unwrap() > 1.5));

    let bad = explore(&["query", "SELECT nope FROM"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("SQL"));
    let write = explore(&["query", "DELETE FROM nodes"]);
    assert!(!write.status.success(), "the database is read-only");

    let list = palisade(&["explore", "list"]);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("workloads-to-node-root"), "{text}");
    let missing = palisade(&["explore", "paths"]);
    assert!(!missing.status.success());
}

#[test]
fn the_graph_can_come_from_the_cluster() {
    let fake = FakeCluster::default();
    fake.add(vec![serde_json::from_value::<Deployment>(serde_json::json!({
        "metadata": {"name": "agent", "namespace": "ops"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
                 "template": {"metadata": {"labels": {"app": "agent"}},
                              "spec": {"hostPID": true,
                                       "containers": [{"name": "agent", "image": "registry.example/agent:1",
                                                       "securityContext": {"privileged": true}}]}}}
    }))
    .unwrap()]);
    let port = fake.start();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = fake.kubeconfig(port, dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "explore",
            "run",
            "container-escapes",
            "--cluster",
            "--kubeconfig",
        ])
        .arg(&kubeconfig)
        .args(["-o", "json"])
        .output()
        .unwrap();
    let t = json(&out);
    assert_eq!(t["rows"][0][0], "Deployment/ops/agent");
    let escapes = t["rows"][0][2].as_str().unwrap();
    assert!(
        escapes.contains("ce_nsenter") && escapes.contains("ce_privileged_mount"),
        "{escapes}"
    );
}
