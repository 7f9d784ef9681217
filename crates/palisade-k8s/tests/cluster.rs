//! The live-cluster source against the fake API server: every kind listed, pages followed,
//! 429 retried, 403 reported as a coverage gap, secrets read as metadata only.

mod fake_apiserver;

use std::collections::BTreeMap;

use fake_apiserver::FakeCluster;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Secret};
use k8s_openapi::api::rbac::v1::ClusterRole;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::ByteString;
use palisade_k8s::{load_cluster, ClusterOptions};

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: namespace.map(String::from),
        uid: Some(format!("uid-{name}")),
        resource_version: Some("4242".into()),
        ..ObjectMeta::default()
    }
}

fn cluster() -> FakeCluster {
    let fake = FakeCluster::default();
    fake.add(vec![Namespace {
        metadata: meta("shop", None),
        ..Namespace::default()
    }]);
    fake.add(
        (0..1100)
            .map(|i| {
                serde_json::from_value::<Pod>(serde_json::json!({
                    "metadata": {"name": format!("worker-{i}"), "namespace": "batch"},
                    "spec": {"containers": [{"name": "w", "image": "registry.example/worker:1.0"}]}
                }))
                .unwrap()
            })
            .collect(),
    );
    fake.add(vec![serde_json::from_value::<Deployment>(
        serde_json::json!({
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:latest",
                                           "securityContext": {"privileged": true}}]}}}
        }),
    )
    .unwrap()]);
    fake.add(vec![Node {
        metadata: meta("node-1", None),
        ..Node::default()
    }]);
    let mut annotations = BTreeMap::new();
    annotations.insert(
        "kubectl.kubernetes.io/last-applied-configuration".to_string(),
        r#"{"data":{"password":"aHVudGVyMg=="}}"#.to_string(),
    );
    fake.add(vec![Secret {
        metadata: ObjectMeta {
            annotations: Some(annotations),
            ..meta("db-password", Some("shop"))
        },
        data: Some(BTreeMap::from([(
            "password".to_string(),
            ByteString(b"hunter2".to_vec()),
        )])),
        ..Secret::default()
    }]);
    fake.add(vec![ClusterRole {
        metadata: meta("admin-all", None),
        ..ClusterRole::default()
    }]);
    fake.forbid("clusterroles");
    fake.throttle("nodes", 2);
    fake
}

fn load(fake: &FakeCluster) -> palisade_k8s::ClusterLoad {
    let port = fake.start();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = fake.kubeconfig(port, dir.path());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(load_cluster(&ClusterOptions {
            kubeconfig: Some(kubeconfig),
            context: None,
        }))
        .unwrap()
}

#[test]
fn lists_every_kind_following_pages_and_retrying_throttled_requests() {
    let fake = cluster();
    let load = load(&fake);
    assert_eq!(load.context, "fake-ctx");
    let count = |kind: &str| load.objects.iter().filter(|o| o.kind == kind).count();
    assert_eq!(count("Pod"), 1100, "all three pages of pods");
    assert_eq!(count("Deployment"), 1);
    assert_eq!(count("Namespace"), 1);
    assert_eq!(count("Node"), 1, "listed after two 429 answers");
    let log = fake.log();
    let pod_pages: Vec<&str> = log
        .iter()
        .filter(|l| l.path == "/api/v1/pods")
        .map(|l| l.query.as_str())
        .collect();
    assert_eq!(pod_pages.len(), 3, "{pod_pages:?}");
    assert!(pod_pages.iter().all(|q| q.contains("limit=500")));
    assert!(
        pod_pages[1].contains("continue=offset-500"),
        "{pod_pages:?}"
    );
    assert_eq!(log.iter().filter(|l| l.path == "/api/v1/nodes").count(), 3);
    // Objects keep their real shape, typed fields included.
    let web = load.objects.iter().find(|o| o.name == "web").unwrap();
    assert_eq!(web.namespace.as_deref(), Some("shop"));
    assert_eq!(web.api_version, "apps/v1");
    assert_eq!(
        web.value["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"],
        true
    );
    assert!(web
        .location
        .file
        .starts_with("cluster:fake-ctx/Deployment/shop/web"));
}

#[test]
fn a_forbidden_kind_is_a_coverage_gap_not_an_error() {
    let fake = cluster();
    let load = load(&fake);
    assert_eq!(load.gaps.len(), 1, "{:?}", load.gaps);
    assert_eq!(load.gaps[0].kind, "ClusterRole");
    assert_eq!(load.gaps[0].status, 403);
    assert!(load.gaps[0].reason.contains("cannot list resource"));
    assert!(!load.objects.iter().any(|o| o.kind == "ClusterRole"));
}

#[test]
fn secrets_are_read_as_metadata_only() {
    let fake = cluster();
    let load = load(&fake);
    let secret_requests: Vec<_> = fake
        .log()
        .into_iter()
        .filter(|l| l.path == "/api/v1/secrets")
        .collect();
    assert!(!secret_requests.is_empty());
    assert!(
        secret_requests
            .iter()
            .all(|l| l.accept.contains("as=PartialObjectMetadataList")),
        "{secret_requests:?}"
    );
    let secret = load.objects.iter().find(|o| o.kind == "Secret").unwrap();
    assert_eq!(secret.name, "db-password");
    let text = serde_json::to_string(&secret.value).unwrap();
    assert!(
        !text.contains("hunter2") && !text.contains("aHVudGVyMg"),
        "{text}"
    );
    assert!(secret.value.get("data").is_none());
    assert_eq!(
        secret.value["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
        "<redacted by palisade>"
    );
}

#[test]
fn a_wrong_token_is_an_error_with_the_reason() {
    let fake = cluster();
    let port = fake.start();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = fake.kubeconfig(port, dir.path());
    let text = std::fs::read_to_string(&kubeconfig)
        .unwrap()
        .replace(fake_apiserver::TOKEN, "stolen");
    std::fs::write(&kubeconfig, text).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let error = runtime
        .block_on(load_cluster(&ClusterOptions {
            kubeconfig: Some(kubeconfig),
            context: None,
        }))
        .unwrap_err();
    assert!(error.to_string().contains("Unauthorized"), "{error}");
}
