//! `palisade posture scan --cluster` against the fake API server (shaped like a real one:
//! k8s-openapi objects, paging, 403s, metadata-only secrets).

#[path = "../../palisade-k8s/tests/fake_apiserver/mod.rs"]
mod fake_apiserver;

use std::process::Command;

use fake_apiserver::FakeCluster;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::rbac::v1::ClusterRoleBinding;
use serde_json::Value;

#[test]
fn the_cluster_is_checked_like_manifests_and_gaps_are_reported() {
    let fake = FakeCluster::default();
    fake.add(vec![serde_json::from_value::<Deployment>(
        serde_json::json!({
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                           "securityContext": {"privileged": true}}]}}}
        }),
    )
    .unwrap()]);
    fake.add(vec![serde_json::from_value::<ClusterRoleBinding>(serde_json::json!({
        "metadata": {"name": "anonymous-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "system:anonymous"}]
    }))
    .unwrap()]);
    fake.forbid("clusterroles");
    let port = fake.start();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = fake.kubeconfig(port, dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["posture", "scan", "--cluster", "--kubeconfig"])
        .arg(&kubeconfig)
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let privileged = findings
        .iter()
        .find(|f| f["check_id"] == "PAL-K8S-003")
        .expect("privileged container found in the cluster");
    assert_eq!(privileged["object"]["kind"], "Deployment");
    assert_eq!(privileged["object"]["name"], "web");
    assert!(findings
        .iter()
        .any(|f| f["object"]["name"] == "anonymous-admin"));
    assert_eq!(report["coverage_gaps"][0]["kind"], "ClusterRole");
    assert_eq!(report["coverage_gaps"][0]["status"], 403);
    assert!(String::from_utf8_lossy(&out.stderr).contains("coverage gap"));
}

#[test]
fn the_inventory_graph_can_come_from_the_cluster() {
    let fake = FakeCluster::default();
    fake.add(vec![serde_json::from_value::<Deployment>(serde_json::json!({
        "metadata": {"name": "api", "namespace": "shop"},
        "spec": {"selector": {"matchLabels": {"app": "api"}},
                 "template": {"metadata": {"labels": {"app": "api"}},
                              "spec": {"containers": [{"name": "api", "image": "registry.example/api:2.1"}]}}}
    }))
    .unwrap()]);
    let port = fake.start();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = fake.kubeconfig(port, dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["posture", "inventory", "--cluster", "--kubeconfig"])
        .arg(&kubeconfig)
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("registry.example/api:2.1"), "{text}");
}
