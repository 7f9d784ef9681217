//! `admission manifests`: every object a cluster needs, a caBundle that really verifies the
//! serving certificate, and a Deployment that passes its own restricted policy.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use palisade_admission::certs::{certified_key, CertStore};
use palisade_admission::manifests::{render, FailurePolicy, ManifestOptions, DEFAULT_POLICY};
use palisade_admission::server::Server;
use palisade_admission::{policy, Admission, Options};
use palisade_k8s::{load_str, LoadOptions, Loaded};
use serde_json::Value;

fn options() -> ManifestOptions {
    ManifestOptions {
        namespace: "palisade-system".into(),
        name: "palisade-admission".into(),
        image: "registry.example.com/palisade@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
        failure_policy: FailurePolicy::Fail,
        ca_bundle: None,
        policy: DEFAULT_POLICY.into(),
    }
}

fn b64(v: &Value) -> String {
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manifests_are_complete_and_their_certificates_work() {
    let text = render(&options()).unwrap();
    let mut loaded = Loaded::default();
    load_str(
        &text,
        "manifests.yaml".into(),
        &LoadOptions::default(),
        &mut loaded,
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let kinds: Vec<&str> = loaded.objects.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "Namespace",
            "ServiceAccount",
            "ConfigMap",
            "Secret",
            "Deployment",
            "PodDisruptionBudget",
            "Service",
            "ValidatingWebhookConfiguration"
        ]
    );
    let get = |kind: &str| {
        &loaded
            .objects
            .iter()
            .find(|o| o.kind == kind)
            .unwrap()
            .value
    };
    let hook = &get("ValidatingWebhookConfiguration")["webhooks"][0];
    assert_eq!(hook["timeoutSeconds"], 3);
    assert_eq!(hook["failurePolicy"], "Fail");
    assert_eq!(hook["sideEffects"], "None");
    assert_eq!(hook["admissionReviewVersions"], serde_json::json!(["v1"]));
    let exempt = &hook["namespaceSelector"]["matchExpressions"][0];
    assert_eq!(exempt["operator"], "NotIn");
    assert_eq!(
        exempt["values"],
        serde_json::json!(["palisade-system", "kube-system"])
    );
    let resources: Vec<&str> = hook["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["resources"].as_array().unwrap())
        .map(|r| r.as_str().unwrap())
        .collect();
    for r in [
        "pods",
        "pods/ephemeralcontainers",
        "deployments",
        "statefulsets",
        "daemonsets",
        "replicasets",
        "jobs",
        "cronjobs",
        "replicationcontrollers",
    ] {
        assert!(resources.contains(&r), "{r}");
    }
    let deploy = get("Deployment");
    assert_eq!(deploy["spec"]["replicas"], 2);
    assert!(deploy["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"].is_object());
    assert_eq!(get("PodDisruptionBudget")["spec"]["minAvailable"], 1);
    assert_eq!(get("ServiceAccount")["automountServiceAccountToken"], false);
    assert!(!kinds.contains(&"Role") && !kinds.contains(&"ClusterRoleBinding"));
    // The ConfigMap's policy compiles.
    let policy_text = get("ConfigMap")["data"]["policies.yaml"].as_str().unwrap();
    assert_eq!(policy::compile(policy_text, "cm").unwrap().len(), 3);

    // The webhook's own Deployment passes Pod Security `restricted` through the core.
    let restricted = policy::compile(
        "apiVersion: palisade.dev/v1alpha1\nkind: AdmissionPolicy\npolicies:\n- {name: r, mode: enforce, posture: {framework: pss-restricted}}\n",
        "t",
    )
    .unwrap();
    let admission = Admission::new(restricted, Options::default());
    let review = serde_json::json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": "1", "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "namespace": "somewhere", "operation": "CREATE", "userInfo": {}, "object": deploy}
    });
    let d = admission.review(&palisade_admission::decode(review.to_string().as_bytes()).unwrap());
    assert!(d.allowed() && d.results.is_empty(), "{:?}", d.response);

    // The Secret's serving certificate verifies against the caBundle for the Service's name.
    let secret = get("Secret");
    let (cert, key) = (
        b64(&secret["data"]["tls.crt"]),
        b64(&secret["data"]["tls.key"]),
    );
    let ca = b64(&hook["clientConfig"]["caBundle"]);
    let admission = Arc::new(Admission::new(Vec::new(), Options::default()));
    let store = CertStore::new(certified_key(cert.as_bytes(), key.as_bytes()).unwrap());
    let server = Server::bind("127.0.0.1:0", admission, store, 1 << 20)
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    tokio::spawn(server.run());
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap())
        .tls_built_in_root_certs(false)
        .resolve("palisade-admission.palisade-system.svc", addr)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let url = format!(
        "https://palisade-admission.palisade-system.svc:{}/healthz",
        addr.port()
    );
    let resp = client.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    // A client trusting another CA refuses the connection.
    let other = palisade_admission::manifests::generate_certs("x", "y")
        .unwrap()
        .0;
    let stranger = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(other.as_bytes()).unwrap())
        .tls_built_in_root_certs(false)
        .resolve("palisade-admission.palisade-system.svc", addr)
        .build()
        .unwrap();
    let url = format!(
        "https://palisade-admission.palisade-system.svc:{}/healthz",
        addr.port()
    );
    assert!(stranger.get(url).send().await.is_err());
}

#[test]
fn a_given_ca_bundle_is_used_and_no_secret_is_generated() {
    let mut o = options();
    o.ca_bundle = Some("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".into());
    o.failure_policy = FailurePolicy::Ignore;
    let text = render(&o).unwrap();
    assert!(!text.contains("kind: Secret"));
    assert!(text.contains("failurePolicy: Ignore"));
    assert!(text.contains(&base64::engine::general_purpose::STANDARD.encode(o.ca_bundle.unwrap())));
}
