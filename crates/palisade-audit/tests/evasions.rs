//! Audit events that walked around the built-in rules (issue 17), shaped as the API server
//! writes them (audit.k8s.io/v1 Event, RequestResponse level): each must now fire its rule,
//! and each has a near miss that must not.

mod common;

use std::collections::BTreeSet;

use common::*;
use palisade_audit::{builtin::builtin_engine, AuditEvent, Detector};
use serde_json::{json, Value};

thread_local! {
    /// The built-in rules, compiled once per test thread.
    static DETECTOR: std::cell::RefCell<Detector> = std::cell::RefCell::new({
        let (engine, diags) = builtin_engine();
        assert!(diags.is_empty(), "{diags:?}");
        Detector::new(engine, None)
    });
}

fn fired(event: &Value) -> BTreeSet<String> {
    let ev = AuditEvent::from_slice(&serde_json::to_vec(event).unwrap()).unwrap();
    let mut alerts = Vec::new();
    DETECTOR.with(|d| d.borrow_mut().analyze(&ev, &mut alerts));
    alerts.into_iter().filter_map(|a| a.rule_id).collect()
}

fn host_path_pod(path: &str) -> Value {
    let mut spec = pod_spec(vec![container("web", "nginx:1.25")]);
    spec["volumes"] = json!([{"name": "host", "hostPath": {"path": path, "type": "Directory"}}]);
    spec["containers"][0]["volumeMounts"] = json!([{"name": "host", "mountPath": "/host"}]);
    req("create", "pods")
        .body(pod("default", "web", spec))
        .event()
}

#[test]
fn sensitive_host_paths_are_normalised_and_matched_by_prefix() {
    for p in [
        "/etc/",
        "/etc/kubernetes/manifests",
        "/root/.ssh",
        "/var/lib/kubelet/pki/",
        "/opt/../etc",
        "//proc",
    ] {
        assert!(fired(&host_path_pod(p)).contains("PAL-K8SAUDIT-031"), "{p}");
    }
    for p in ["/data/web", "/etcd-backup", "/opt/etc", "/srv/run"] {
        assert!(
            !fired(&host_path_pod(p)).contains("PAL-K8SAUDIT-031"),
            "{p}"
        );
    }
    // The runtime-socket rule sees through the same normalisation.
    let hit = fired(&host_path_pod("/var/run/docker.sock/"));
    assert!(hit.contains("PAL-K8SAUDIT-032"), "{hit:?}");
}

/// A `kubectl patch svc web -p '{"spec":{"type":"LoadBalancer"}}'` as the API server logs it:
/// the request object is the merge patch, the response object the stored Service.
fn patched_service(ns: &'static str, name: &'static str, spec: Value, patch: Value) -> Value {
    let mut ev = req("patch", "services")
        .ns(Some(ns))
        .name(Some(name))
        .body(patch)
        .event();
    let mut stored = json!({
        "kind": "Service", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": ns, "uid": "5c2d8b1e-7a44-4d0f-9f1c-2b3a4c5d6e7f",
                     "resourceVersion": "90211", "creationTimestamp": "2026-03-01T08:00:00Z"},
        "spec": spec,
        "status": {"loadBalancer": {}}
    });
    stored["spec"]["clusterIP"] = json!("10.96.12.34");
    stored["spec"]["clusterIPs"] = json!(["10.96.12.34"]);
    ev["responseObject"] = stored;
    ev
}

#[test]
fn clusterip_service_patched_to_loadbalancer_fires_the_exposure_rules() {
    let lb = json!({"type": "LoadBalancer", "selector": {"app": "db"},
                    "ports": [{"protocol": "TCP", "port": 5432, "targetPort": 5432, "nodePort": 31543}]});
    let ev = patched_service(
        "shop",
        "orders-db",
        lb.clone(),
        json!({"spec": {"type": "LoadBalancer"}}),
    );
    assert!(fired(&ev).contains("PAL-K8SAUDIT-005"), "{:?}", fired(&ev));
    // A JSON patch (no spec in the request at all) is judged on the stored object too.
    let ev = patched_service(
        "kube-system",
        "metrics",
        json!({"type": "NodePort", "ports": [{"port": 8443, "targetPort": 8443, "nodePort": 30443}]}),
        json!([{"op": "replace", "path": "/spec/type", "value": "NodePort"}]),
    );
    assert!(fired(&ev).contains("PAL-K8SAUDIT-002"));
    // Near miss: a patch that leaves the Service ClusterIP.
    let ev = patched_service(
        "shop",
        "orders-db",
        json!({"type": "ClusterIP", "ports": [{"port": 5432, "targetPort": 5432}]}),
        json!({"metadata": {"labels": {"tier": "db"}}}),
    );
    assert!(!fired(&ev).contains("PAL-K8SAUDIT-005"));
}

#[test]
fn exposure_rules_read_target_ports_and_source_ranges() {
    let svc = |spec: Value| {
        let mut body = service("shop", "proxy", "LoadBalancer", 443);
        body["spec"] = spec;
        req("create", "services")
            .ns(Some("shop"))
            .name(Some("proxy"))
            .body(body)
            .event()
    };
    // Port 443 outside, the kubelet's 10250 behind it.
    let ev = svc(json!({"type": "LoadBalancer", "ports": [{"port": 443, "targetPort": 10250}]}));
    assert!(fired(&ev).contains("PAL-K8SAUDIT-003"));
    let ev = svc(json!({"type": "LoadBalancer", "ports": [{"port": 443, "targetPort": 8443}]}));
    assert!(!fired(&ev).contains("PAL-K8SAUDIT-003"));
    // Restricted to private ranges: not an internet exposure.
    let ev = svc(
        json!({"type": "LoadBalancer", "ports": [{"port": 5432, "targetPort": 5432}],
                        "loadBalancerSourceRanges": ["10.20.0.0/16", "192.168.8.0/24"]}),
    );
    assert!(!fired(&ev).contains("PAL-K8SAUDIT-005"));
    // One public range is enough to be exposed.
    let ev = svc(
        json!({"type": "LoadBalancer", "ports": [{"port": 5432, "targetPort": 5432}],
                        "loadBalancerSourceRanges": ["10.20.0.0/16", "0.0.0.0/0"]}),
    );
    assert!(fired(&ev).contains("PAL-K8SAUDIT-005"));
    // NodePort has no source ranges: exposed whatever they say.
    let ev = svc(
        json!({"type": "NodePort", "ports": [{"port": 5432, "targetPort": 5432}],
                        "loadBalancerSourceRanges": ["10.20.0.0/16"]}),
    );
    assert!(fired(&ev).contains("PAL-K8SAUDIT-005"));
}

fn webhook(kind: &str) -> Value {
    json!({
        "kind": kind,
        "apiVersion": "admissionregistration.k8s.io/v1",
        "metadata": {"name": "policy"},
        "webhooks": [{
            "name": "validate.policy.example.com",
            "clientConfig": {"url": "https://203.0.113.50:8443/validate"},
            "rules": [{"operations": ["CREATE", "UPDATE"], "apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*"], "scope": "*"}],
            "failurePolicy": "Ignore",
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"]
        }]
    })
}

#[test]
fn webhook_configurations_created_or_changed_raise_an_alert() {
    let create = |res: &'static str, kind: &str| {
        req("create", res)
            .ns(None)
            .name(Some("policy"))
            .body(webhook(kind))
            .event()
    };
    assert!(fired(&create(
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration"
    ))
    .contains("PAL-K8SAUDIT-069"));
    assert!(fired(&create(
        "mutatingwebhookconfigurations",
        "MutatingWebhookConfiguration"
    ))
    .contains("PAL-K8SAUDIT-064"));
    let update = req("update", "validatingwebhookconfigurations")
        .ns(None)
        .name(Some("policy"))
        .body(webhook("ValidatingWebhookConfiguration"))
        .event();
    assert!(fired(&update).contains("PAL-K8SAUDIT-063"));
    // A list is not a change.
    let list = req("list", "validatingwebhookconfigurations")
        .ns(None)
        .name(None)
        .event();
    assert!(fired(&list).is_empty());
    // A refused create is not one either.
    let denied = req("create", "validatingwebhookconfigurations")
        .ns(None)
        .name(Some("policy"))
        .body(webhook("ValidatingWebhookConfiguration"))
        .code(403)
        .event();
    assert!(!fired(&denied).contains("PAL-K8SAUDIT-069"));
}

#[test]
fn kube_system_tokens_are_exempt_only_for_their_controllers_job() {
    let secret_read = |user: &'static str| {
        req("get", "secrets")
            .ns(Some("kube-system"))
            .name(Some("bootstrap-token-abcdef"))
            .user(user)
            .event()
    };
    let clusterrole = |user: &'static str| {
        req("create", "clusterroles")
            .ns(None)
            .name(Some("ops"))
            .user(user)
            .body(role(
                "ClusterRole",
                None,
                "ops",
                json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
            ))
            .event()
    };
    // A stolen token of a kube-system service account that is no controller.
    let stolen = "system:serviceaccount:kube-system:coredns";
    let hit = fired(&secret_read(stolen));
    assert!(hit.contains("PAL-K8SAUDIT-051"), "{hit:?}");
    assert!(fired(&clusterrole(stolen)).contains("PAL-K8SAUDIT-010"));
    // A controller's token used outside its verbs and resources.
    let rs = "system:serviceaccount:kube-system:replicaset-controller";
    assert!(fired(&clusterrole(rs)).contains("PAL-K8SAUDIT-010"));
    assert!(fired(&secret_read(rs)).contains("PAL-K8SAUDIT-051"));
    // The controllers' own work stays quiet.
    let token_cleaner = "system:serviceaccount:kube-system:token-cleaner";
    assert!(!fired(&secret_read(token_cleaner)).contains("PAL-K8SAUDIT-051"));
    let mut spec = pod_spec(vec![container("web", "nginx:1.25")]);
    spec["hostPID"] = json!(true);
    let pod_by = |user: &'static str| {
        req("create", "pods")
            .ns(Some("kube-system"))
            .user(user)
            .body(pod("kube-system", "web", spec.clone()))
            .event()
    };
    let ds = "system:serviceaccount:kube-system:daemon-set-controller";
    let hit = fired(&pod_by(ds));
    assert!(
        !hit.contains("PAL-K8SAUDIT-034") && !hit.contains("PAL-K8SAUDIT-039"),
        "{hit:?}"
    );
    let hit = fired(&pod_by(stolen));
    assert!(hit.contains("PAL-K8SAUDIT-034"), "{hit:?}");
}

/// A user rule with a count-within-window on audit events: the third refused request of the
/// same user within a minute fires, by event time; another user counts on its own.
#[test]
fn audit_rules_can_count_within_a_window() {
    let mut set = palisade_audit::builtin::builtin_ruleset();
    set.add_file(
        "mine.yaml",
        "- rule: Repeated refusals\n  desc: d\n  condition: ka.response.code = 403\n  output: '%ka.user.name refused'\n  priority: NOTICE\n  source: k8s_audit\n  window: {count: 3, seconds: 60, by: [ka.user.name]}\n",
    );
    let (engine, diags) = set.compile(&palisade_audit::AuditFields);
    assert!(diags.is_empty(), "{diags:?}");
    let mut detector = Detector::new(engine, None);
    let mut fire = |user: &'static str, at: &'static str| {
        let event = req("get", "secrets").user(user).code(403).at(at).event();
        let ev = AuditEvent::from_slice(&serde_json::to_vec(&event).unwrap()).unwrap();
        let mut alerts = Vec::new();
        detector.analyze(&ev, &mut alerts);
        alerts.iter().any(|a| a.rule == "Repeated refusals")
    };
    assert!(!fire("mallory", "2026-03-02T10:00:00.000000Z"));
    assert!(!fire("mallory", "2026-03-02T10:00:20.000000Z"));
    assert!(!fire("bob", "2026-03-02T10:00:30.000000Z"));
    assert!(fire("mallory", "2026-03-02T10:00:40.000000Z"));
    // Two more, but the first of them is more than a minute after the last count began.
    assert!(!fire("mallory", "2026-03-02T10:02:00.000000Z"));
    assert!(!fire("mallory", "2026-03-02T10:03:30.000000Z"));
}
