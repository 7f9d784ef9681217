//! Every built-in rule fires on a positive event and stays quiet on a near-miss negative one,
//! both shaped exactly as the API server writes audit.k8s.io/v1 events.

mod common;

use std::collections::BTreeSet;

use common::*;
use palisade_audit::{builtin::builtin_engine, AuditEvent, Detector};

/// The built-in rules with the feed lists filled as `palisade db update` fills them (a TOR
/// exit node, a proxy network) — they are empty until then.
fn engine_with_lists() -> palisade_rules::Engine {
    let mut set = palisade_audit::builtin::builtin_ruleset();
    set.add_list_file(
        "pal_tor_exit_nodes.txt",
        "pal_tor_exit_nodes",
        "# list-tor-exit-nodes\n185.220.101.34\n2a0b:f4c2::1\n",
    )
    .unwrap();
    set.add_list_file(
        "pal_proxy_networks.txt",
        "pal_proxy_networks",
        "# list-proxy-networks\n45.133.1.0/24\n",
    )
    .unwrap();
    let (engine, diags) = set.compile(&palisade_audit::AuditFields);
    assert!(diags.is_empty(), "{diags:?}");
    engine
}

fn from_ip(mut event: Value, ip: &str) -> Value {
    event["sourceIPs"] = json!([ip]);
    event
}
use serde_json::{json, Value};

/// (rule id, positive event, negative event).
fn cases() -> Vec<(&'static str, Value, Value)> {
    let nginx = || pod_spec(vec![container("web", "nginx:1.25")]);
    let with_sc = |sc: Value| {
        let mut c = container("web", "nginx:1.25");
        c["securityContext"] = sc;
        pod_spec(vec![c])
    };
    let pod_in = |ns: &'static str, spec: Value| {
        req("create", "pods")
            .ns(Some(ns))
            .body(pod(ns, "web", spec))
    };
    let host_vol = |path: &str| {
        let mut spec = nginx();
        spec["volumes"] = json!([{"name": "host", "hostPath": {"path": path, "type": ""}}]);
        spec["containers"][0]["volumeMounts"] = json!([{"name": "host", "mountPath": "/host"}]);
        spec
    };
    let pod_flag = |flag: &str| {
        let mut spec = nginx();
        spec[flag] = json!(true);
        spec
    };
    let wl = |resource: &'static str, kind: &str, apiv: &str, ns: &'static str, spec: Value| {
        req("create", resource)
            .ns(Some(ns))
            .body(workload(kind, apiv, ns, "web", spec))
    };
    let cr = |rules: Value| {
        req("create", "clusterroles")
            .ns(None)
            .name(Some("ops"))
            .body(role("ClusterRole", None, "ops", rules))
    };
    let r = |rules: Value| req("create", "roles").body(role("Role", Some("default"), "ops", rules));
    let crb = |role_name: &str, subjects: Value| {
        req("create", "clusterrolebindings")
            .ns(None)
            .name(Some("b"))
            .body(binding(
                "ClusterRoleBinding",
                None,
                "b",
                role_name,
                subjects,
            ))
    };
    let user_subject = json!([{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "bob@example.com"}]);
    let svc = |ns: &'static str, name: &'static str, kind: &str, port: u16| {
        req("create", "services")
            .ns(Some(ns))
            .name(Some(name))
            .body(service(ns, name, kind, port))
    };
    let webhook = |policy: &str| {
        json!({
            "kind": "ValidatingWebhookConfiguration",
            "apiVersion": "admissionregistration.k8s.io/v1",
            "metadata": {"name": "policy"},
            "webhooks": [{
                "name": "validate.policy.example.com",
                "clientConfig": {"service": {"namespace": "policy", "name": "webhook", "path": "/validate"}},
                "rules": [{"operations": ["CREATE", "UPDATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"], "scope": "*"}],
                "failurePolicy": policy,
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"]
            }]
        })
    };
    let configmap = |ns: &str, name: &str, data: Value| json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns}, "data": data});
    let sa_secret = |ty: &str| {
        json!({
            "kind": "Secret", "apiVersion": "v1",
            "metadata": {"name": "builder-token", "namespace": "default",
                         "annotations": {"kubernetes.io/service-account.name": "builder"}},
            "type": ty
        })
    };
    let token_request = json!({
        "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": null},
        "spec": {"audiences": null, "expirationSeconds": 3600, "boundObjectRef": null},
        "status": {"token": "", "expirationTimestamp": null}
    });
    let sa = |ns: &str| json!({"kind": "ServiceAccount", "apiVersion": "v1", "metadata": {"name": "helper", "namespace": ns}});
    let ephemeral = |image: &str| {
        let mut p = pod("default", "web", nginx());
        p["spec"]["ephemeralContainers"] = json!([{"name": "debugger", "image": image, "targetContainerName": "web", "stdin": true, "tty": true}]);
        p
    };

    let ctrl = "system:serviceaccount:kube-system:replicaset-controller";
    vec![
        (
            "PAL-K8SAUDIT-001",
            svc("kubernetes-dashboard", "kubernetes-dashboard", "LoadBalancer", 443).event(),
            svc("kubernetes-dashboard", "kubernetes-dashboard", "ClusterIP", 443).event(),
        ),
        (
            "PAL-K8SAUDIT-002",
            svc("kube-system", "metrics", "NodePort", 8443).event(),
            svc("shop", "metrics", "NodePort", 8443).event(),
        ),
        (
            "PAL-K8SAUDIT-003",
            svc("shop", "kubelet-proxy", "LoadBalancer", 10250).event(),
            svc("shop", "web", "LoadBalancer", 443).event(),
        ),
        (
            "PAL-K8SAUDIT-004",
            svc("kubeflow", "ml-pipeline-ui", "LoadBalancer", 80).event(),
            svc("kubeflow", "ml-pipeline-ui", "ClusterIP", 80).event(),
        ),
        (
            "PAL-K8SAUDIT-005",
            svc("shop", "orders-db", "LoadBalancer", 5432).event(),
            svc("shop", "orders-db", "ClusterIP", 5432).event(),
        ),
        (
            "PAL-K8SAUDIT-010",
            cr(json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])).event(),
            cr(json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}])).event(),
        ),
        (
            "PAL-K8SAUDIT-011",
            r(json!([{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}])).event(),
            r(json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}])).event(),
        ),
        (
            "PAL-K8SAUDIT-012",
            r(json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}])).event(),
            r(json!([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]}])).event(),
        ),
        (
            "PAL-K8SAUDIT-013",
            cr(json!([{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}])).event(),
            cr(json!([{"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}])).event(),
        ),
        (
            "PAL-K8SAUDIT-014",
            cr(json!([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind", "escalate"]}])).event(),
            cr(json!([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["get"]}])).event(),
        ),
        (
            "PAL-K8SAUDIT-015",
            crb("cluster-admin", user_subject.clone()).event(),
            crb("view", user_subject.clone()).event(),
        ),
        (
            "PAL-K8SAUDIT-016",
            crb("view", json!([{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "system:anonymous"}])).event(),
            crb("view", user_subject.clone()).event(),
        ),
        (
            "PAL-K8SAUDIT-017",
            crb("edit", json!([{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:authenticated"}])).event(),
            crb("edit", json!([{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "developers"}])).event(),
        ),
        (
            "PAL-K8SAUDIT-018",
            req("create", "serviceaccounts").ns(Some("kube-system")).name(Some("helper")).body(sa("kube-system")).event(),
            req("create", "serviceaccounts").ns(Some("shop")).name(Some("helper")).body(sa("shop")).event(),
        ),
        (
            "PAL-K8SAUDIT-020",
            req("list", "secrets").ns(Some("kube-system")).name(None).user("system:anonymous").agent("curl/8.5.0").event(),
            req("get", "namespaces").ns(None).user("system:anonymous").uri("/version").agent("curl/8.5.0").event(),
        ),
        (
            "PAL-K8SAUDIT-021",
            req("list", "pods").name(None).user("system:anonymous").code(403).agent("python-requests/2.31.0").event(),
            req("list", "pods").name(None).code(403).event(),
        ),
        (
            "PAL-K8SAUDIT-022",
            req("create", "pods").subres("exec").query("command=sh&container=web&stdin=true&stdout=true&tty=true").code(101).event(),
            req("create", "pods").subres("log").query("container=web").event(),
        ),
        (
            "PAL-K8SAUDIT-023",
            req("get", "pods").ns(Some("kube-system")).name(Some("etcd-master")).subres("exec").query("command=sh&container=etcd&stdin=true&stdout=true&tty=true").code(101).event(),
            req("get", "pods").ns(Some("kube-system")).name(Some("etcd-master")).subres("exec").code(403).event(),
        ),
        (
            "PAL-K8SAUDIT-024",
            req("create", "pods").subres("attach").query("container=web&stdin=true&stdout=true").code(101).event(),
            req("get", "pods").event(),
        ),
        (
            "PAL-K8SAUDIT-025",
            req("create", "pods").subres("portforward").code(101).event(),
            req("create", "pods").subres("portforward").code(403).event(),
        ),
        (
            "PAL-K8SAUDIT-026",
            req("patch", "pods").subres("ephemeralcontainers").body(ephemeral("busybox:1.36")).event(),
            req("patch", "pods").subres("status").body(pod("default", "web", nginx())).user("system:node:worker-1").event(),
        ),
        (
            "PAL-K8SAUDIT-027",
            req("get", "nodes").ns(None).name(Some("worker-1")).subres("proxy").uri("/api/v1/nodes/worker-1/proxy/runningpods/").event_with_node_ref(),
            req("get", "nodes").ns(None).name(Some("worker-1")).event(),
        ),
        (
            "PAL-K8SAUDIT-028",
            req("list", "secrets").name(None).impersonate("system:admin").event(),
            req("list", "pods").name(None).event(),
        ),
        (
            "PAL-K8SAUDIT-029",
            req("list", "pods").name(None).user("system:serviceaccount:shop:web").event(),
            req("list", "pods").name(None).user("system:serviceaccount:shop:web").agent(GO_CLIENT).event(),
        ),
        (
            "PAL-K8SAUDIT-030",
            pod_in("default", with_sc(json!({"privileged": true}))).event(),
            pod_in("default", with_sc(json!({"privileged": false}))).event(),
        ),
        (
            "PAL-K8SAUDIT-031",
            pod_in("default", host_vol("/etc")).event(),
            pod_in("default", host_vol("/data/web")).event(),
        ),
        (
            "PAL-K8SAUDIT-032",
            wl("deployments", "Deployment", "apps/v1", "ci", host_vol("/var/run/docker.sock")).event(),
            wl("deployments", "Deployment", "apps/v1", "ci", host_vol("/srv/cache")).event(),
        ),
        (
            "PAL-K8SAUDIT-033",
            pod_in("default", pod_flag("hostNetwork")).event(),
            pod_in("default", nginx()).event(),
        ),
        (
            "PAL-K8SAUDIT-034",
            wl("daemonsets", "DaemonSet", "apps/v1", "monitoring", pod_flag("hostPID")).event(),
            // The same pod created by the DaemonSet controller is reported on the DaemonSet.
            pod_in("monitoring", pod_flag("hostPID")).user(ctrl).event(),
        ),
        (
            "PAL-K8SAUDIT-035",
            pod_in("default", pod_flag("hostIPC")).event(),
            pod_in("default", pod_flag("hostIPC")).code(403).event(),
        ),
        (
            "PAL-K8SAUDIT-036",
            pod_in("default", with_sc(json!({"capabilities": {"add": ["SYS_ADMIN"]}}))).event(),
            pod_in("default", with_sc(json!({"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}))).event(),
        ),
        (
            "PAL-K8SAUDIT-037",
            pod_in("default", with_sc(json!({"procMount": "Unmasked"}))).event(),
            pod_in("default", with_sc(json!({"procMount": "Default"}))).event(),
        ),
        (
            "PAL-K8SAUDIT-038",
            {
                let mut spec = nginx();
                spec["containers"][0]["ports"] = json!([{"containerPort": 80, "hostPort": 8080, "protocol": "TCP"}]);
                pod_in("default", spec).event()
            },
            {
                let mut spec = nginx();
                spec["containers"][0]["ports"] = json!([{"containerPort": 80, "protocol": "TCP"}]);
                pod_in("default", spec).event()
            },
        ),
        (
            "PAL-K8SAUDIT-039",
            pod_in("kube-system", nginx()).event(),
            pod_in("kube-system", nginx()).user("system:serviceaccount:kube-system:daemon-set-controller").event(),
        ),
        (
            "PAL-K8SAUDIT-040",
            wl("jobs", "Job", "batch/v1", "default", pod_spec(vec![container("hunter", "aquasec/kube-hunter:0.6.8")])).event(),
            wl("jobs", "Job", "batch/v1", "default", pod_spec(vec![container("backup", "restic/restic:0.16.4")])).event(),
        ),
        (
            "PAL-K8SAUDIT-041",
            wl("deployments", "Deployment", "apps/v1", "default", pod_spec(vec![container("web", "nginx:1.25"), container("w", "docker.io/metal3d/xmrig:latest")])).event(),
            wl("deployments", "Deployment", "apps/v1", "default", pod_spec(vec![container("web", "nginx:1.25"), container("m", "prom/node-exporter:v1.8.1")])).event(),
        ),
        (
            "PAL-K8SAUDIT-042",
            wl("cronjobs", "CronJob", "batch/v1", "default", nginx()).event(),
            wl("jobs", "Job", "batch/v1", "default", nginx()).user("system:serviceaccount:kube-system:cronjob-controller").event(),
        ),
        (
            "PAL-K8SAUDIT-043",
            wl("daemonsets", "DaemonSet", "apps/v1", "default", nginx()).event(),
            wl("deployments", "Deployment", "apps/v1", "default", nginx()).event(),
        ),
        (
            "PAL-K8SAUDIT-044",
            pod_in("kube-system", with_sc(json!({"runAsUser": 0}))).event(),
            pod_in("kube-system", with_sc(json!({"runAsUser": 1000, "allowPrivilegeEscalation": false}))).event(),
        ),
        (
            "PAL-K8SAUDIT-050",
            req("list", "secrets").ns(None).name(None).event(),
            req("list", "secrets").name(None).query("labelSelector=owner%3Dhelm").agent("Helm/3.14.4").event(),
        ),
        (
            "PAL-K8SAUDIT-051",
            req("get", "secrets").ns(Some("kube-system")).name(Some("bootstrap-token-abcdef")).event(),
            req("get", "secrets").ns(Some("shop")).name(Some("db-password")).event(),
        ),
        (
            "PAL-K8SAUDIT-052",
            req("get", "secrets").name(Some("db-password")).user("system:anonymous").agent("curl/8.5.0").event(),
            req("get", "secrets").name(Some("db-password")).user("system:anonymous").agent("curl/8.5.0").code(403).event(),
        ),
        (
            "PAL-K8SAUDIT-053",
            req("create", "serviceaccounts").name(Some("builder")).subres("token").body(token_request.clone()).event(),
            req("create", "serviceaccounts").name(Some("builder")).subres("token").body(token_request.clone()).user("system:node:worker-1").event(),
        ),
        (
            "PAL-K8SAUDIT-054",
            req("create", "secrets").name(Some("builder-token")).body(sa_secret("kubernetes.io/service-account-token")).event(),
            req("create", "secrets").name(Some("builder-token")).body(sa_secret("Opaque")).event(),
        ),
        (
            "PAL-K8SAUDIT-055",
            req("create", "configmaps").name(Some("app-config")).body(configmap("default", "app-config", json!({"DB_HOST": "db", "DB_PASSWORD": "hunter2"}))).event(),
            req("create", "configmaps").name(Some("app-config")).body(configmap("default", "app-config", json!({"DB_HOST": "db", "LOG_LEVEL": "info"}))).event(),
        ),
        (
            "PAL-K8SAUDIT-060",
            req("deletecollection", "events").name(None).event(),
            req("delete", "events").name(Some("web.17c8a")).user("system:kube-controller-manager").event(),
        ),
        (
            "PAL-K8SAUDIT-061",
            req("delete", "validatingwebhookconfigurations").ns(None).name(Some("gatekeeper-validating-webhook-configuration")).event(),
            req("get", "validatingwebhookconfigurations").ns(None).name(Some("gatekeeper-validating-webhook-configuration")).event(),
        ),
        (
            "PAL-K8SAUDIT-062",
            req("update", "validatingwebhookconfigurations").ns(None).name(Some("policy")).body(webhook("Ignore")).event(),
            req("update", "validatingwebhookconfigurations").ns(None).name(Some("policy")).body(webhook("Fail")).event(),
        ),
        (
            "PAL-K8SAUDIT-063",
            req("patch", "mutatingwebhookconfigurations").ns(None).name(Some("istio-sidecar-injector")).event(),
            // Only a change is: reading it is not (and no kube-system token is exempt: see
            // tests/evasions.rs).
            req("get", "mutatingwebhookconfigurations").ns(None).name(Some("istio-sidecar-injector")).event(),
        ),
        (
            "PAL-K8SAUDIT-064",
            req("create", "mutatingwebhookconfigurations").ns(None).name(Some("injector")).event(),
            req("create", "validatingwebhookconfigurations").ns(None).name(Some("injector")).event(),
        ),
        (
            "PAL-K8SAUDIT-070",
            from_ip(req("get", "secrets").ns(Some("shop")).name(Some("db")).event(), "185.220.101.34"),
            from_ip(req("get", "secrets").ns(Some("shop")).name(Some("db")).event(), "185.220.102.34"),
        ),
        (
            "PAL-K8SAUDIT-070",
            from_ip(req("list", "pods").name(None).event(), "45.133.1.77"),
            from_ip(req("list", "pods").name(None).event(), "45.133.2.77"),
        ),
        (
            "PAL-K8SAUDIT-069",
            req("create", "validatingwebhookconfigurations").ns(None).name(Some("policy")).body(webhook("Ignore")).event(),
            req("create", "mutatingwebhookconfigurations").ns(None).name(Some("injector")).event(),
        ),
        (
            "PAL-K8SAUDIT-065",
            req("delete", "daemonsets").ns(Some("falco")).name(Some("falco")).event(),
            req("delete", "daemonsets").ns(Some("shop")).name(Some("web-cache")).event(),
        ),
        (
            "PAL-K8SAUDIT-066",
            req("patch", "configmaps").ns(Some("kube-system")).name(Some("audit-policy")).event(),
            req("patch", "configmaps").ns(Some("shop")).name(Some("audit-policy")).event(),
        ),
        (
            "PAL-K8SAUDIT-067",
            req("deletecollection", "secrets").name(None).event(),
            req("delete", "secrets").name(Some("old")).event(),
        ),
        (
            "PAL-K8SAUDIT-068",
            req("update", "configmaps").ns(Some("kube-system")).name(Some("coredns")).event(),
            req("get", "configmaps").ns(Some("kube-system")).name(Some("coredns")).event(),
        ),
    ]
}

trait NodeRef {
    fn event_with_node_ref(&self) -> Value;
}

impl NodeRef for Req {
    /// Node proxy requests carry an object reference and a request URI under /proxy.
    fn event_with_node_ref(&self) -> Value {
        let mut s = self.clone();
        s.uri = None;
        let mut ev = s.event();
        ev["requestURI"] = json!(self.uri.unwrap_or_default());
        ev
    }
}

fn fired(detector: &mut Detector, event: &Value) -> BTreeSet<String> {
    let bytes = serde_json::to_vec(event).unwrap();
    let ev = AuditEvent::from_slice(&bytes).unwrap();
    let mut alerts = Vec::new();
    detector.analyze(&ev, &mut alerts);
    alerts.into_iter().filter_map(|a| a.rule_id).collect()
}

#[test]
fn every_builtin_rule_has_a_positive_and_a_negative_event() {
    let (builtin, diags) = builtin_engine();
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(builtin.rules().len(), engine_with_lists().rules().len());
    let engine = engine_with_lists();
    let ids: BTreeSet<String> = engine
        .rules()
        .iter()
        .filter_map(|r| r.meta.id.clone())
        .collect();
    let mut detector = Detector::new(engine, Some("prod-eu".into()));
    let cases = cases();
    let tested: BTreeSet<String> = cases.iter().map(|(id, _, _)| id.to_string()).collect();
    assert_eq!(
        ids, tested,
        "rules without test events (or tests of unknown rules)"
    );
    let mut failures = Vec::new();
    for (id, positive, negative) in &cases {
        let hit = fired(&mut detector, positive);
        if !hit.contains(*id) {
            failures.push(format!(
                "{id}: positive event did not fire it (fired {hit:?})"
            ));
        }
        let hit = fired(&mut detector, negative);
        if hit.contains(*id) {
            failures.push(format!("{id}: negative event fired it"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn alert_carries_rule_event_and_context() {
    let (engine, _) = builtin_engine();
    let mut detector = Detector::new(engine, Some("prod-eu".into()));
    let mut spec = pod_spec(vec![container("web", "nginx:1.25")]);
    spec["containers"][0]["securityContext"] = json!({"privileged": true});
    let event = req("create", "pods")
        .ns(Some("shop"))
        .body(pod("shop", "web", spec))
        .event();
    let ev = AuditEvent::from_slice(&serde_json::to_vec(&event).unwrap()).unwrap();
    let mut alerts = Vec::new();
    detector.analyze(&ev, &mut alerts);
    let alert = alerts
        .iter()
        .find(|a| a.rule_id.as_deref() == Some("PAL-K8SAUDIT-030"))
        .unwrap();
    assert_eq!(
        alert.id,
        "PAL-K8SAUDIT-030/7e0b9f2c-4b8e-4a53-9a55-2d1f0c3b8a11"
    );
    assert_eq!(alert.severity, palisade_model::Severity::Medium);
    assert_eq!(alert.cluster.as_deref(), Some("prod-eu"));
    assert_eq!(alert.resource.namespace.as_deref(), Some("shop"));
    assert_eq!(alert.resource.resource.as_deref(), Some("pods"));
    assert_eq!(alert.user.name, "alice@example.com");
    assert_eq!(alert.source_ips, ["203.0.113.7"]);
    assert_eq!(alert.mitre.techniques, ["T1611"]);
    assert_eq!(alert.mitre.technique_names, ["Escape to Host"]);
    assert_eq!(alert.mitre.tactics, ["Privilege Escalation"]);
    assert_eq!(alert.time, "2026-03-02T10:15:30.123456Z");
    assert_eq!(
        alert.message,
        "Privileged container in pods shop/web (images nginx:1.25) by alice@example.com"
    );
    assert_eq!(alert.evidence.to_value(), event);
    assert_eq!(alert.count, 1);
}

/// Counting repeats before building their alerts (`analyze_deduplicated`) gives exactly the
/// alerts that building every hit and de-duplicating afterwards gives: same groups, counts,
/// last-seen times, evidence and order, across closing windows and several resources.
#[test]
fn deduplicating_before_building_alerts_changes_no_alert() {
    use palisade_audit::Deduplicator;
    let (engine, _) = builtin_engine();
    let mut spec = pod_spec(vec![container("web", "nginx:1.25")]);
    spec["containers"][0]["securityContext"] = json!({"privileged": true});
    let mut events = Vec::new();
    for i in 0..40u32 {
        // Mostly one pod, now and then two others: repeats, and more groups than the cap.
        let name = format!("web-{}", if i % 5 == 4 { i % 3 + 1 } else { 0 });
        let mut event = req("create", "pods")
            .ns(Some("shop"))
            .body(pod("shop", &name, spec.clone()))
            .event();
        event["objectRef"]["name"] = json!(name);
        event["auditID"] = json!(format!("00000000-0000-4000-8000-{i:012}"));
        let t = format!("2026-03-02T10:{:02}:{:02}.000000Z", i * 7 / 60, i * 7 % 60);
        event["stageTimestamp"] = json!(t);
        event["requestReceivedTimestamp"] = json!(t);
        events.push(AuditEvent::from_slice(&serde_json::to_vec(&event).unwrap()).unwrap());
    }
    let window = std::time::Duration::from_secs(60);
    let mut before = Detector::new(engine, None);
    let (mut dedup, mut built, mut hits) = (Deduplicator::new(window, 2), Vec::new(), Vec::new());
    for ev in &events {
        hits.clear();
        before.analyze(ev, &mut hits);
        for alert in hits.drain(..) {
            dedup.push(alert, &mut built);
        }
    }
    dedup.flush(&mut built);
    let mut after = Detector::new(builtin_engine().0, None);
    let (mut dedup, mut counted) = (Deduplicator::new(window, 2), Vec::new());
    for ev in &events {
        after.analyze_deduplicated(ev, &mut dedup, &mut counted);
    }
    dedup.flush(&mut counted);
    assert!(built.iter().any(|a| a.count > 1), "the stream has repeats");
    assert!(built.len() > 3, "windows closed and groups were evicted");
    assert!(dedup.evicted > 0, "the group cap was reached");
    assert_eq!(built, counted);
}
