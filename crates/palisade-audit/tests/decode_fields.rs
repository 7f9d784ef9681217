//! Decoding (Event, EventList, bad input), the ka.* / jevt.* fields, de-duplication.

mod common;

use std::time::Duration;

use common::*;
use palisade_audit::alert::parse_rfc3339_micros;
use palisade_audit::builtin::builtin_engine;
use palisade_audit::{
    decode_batch, AuditEvent, AuditFields, AuditRecord, DecodeError, Deduplicator, Detector,
};
use palisade_rules::{Event, FieldSource, Value, Values};
use serde_json::json;

fn values(ev: &AuditEvent, field: &str) -> Vec<String> {
    let (name, arg) = palisade_rules::condition::split_field(field).unwrap();
    let spec = AuditFields.resolve(&name, arg.as_deref()).unwrap();
    let rec = AuditRecord {
        event: ev,
        cluster: Some("c1"),
    };
    rec.extract(&spec)
        .as_slice()
        .iter()
        .map(Value::to_string)
        .collect()
}

fn decode(v: &serde_json::Value) -> AuditEvent {
    AuditEvent::from_slice(&serde_json::to_vec(v).unwrap()).unwrap()
}

#[test]
fn fields_of_a_workload_event() {
    let mut spec = pod_spec(vec![
        container("web", "registry.example.com:5000/shop/web:1.2@sha256:abc"),
        container("side", "envoy:1.30"),
    ]);
    spec["initContainers"] = json!([{"name": "init", "image": "busybox:1.36", "securityContext": {"privileged": true, "runAsUser": 0}}]);
    spec["hostNetwork"] = json!(true);
    spec["securityContext"] = json!({"runAsUser": 1000, "fsGroup": 2000});
    spec["containers"][1]["securityContext"] = json!({"capabilities": {"add": ["NET_ADMIN"]}});
    spec["volumes"] = json!([{"name": "h", "hostPath": {"path": "/var/lib/kubelet"}}, {"name": "s", "secret": {"secretName": "x"}}]);
    let e = decode(
        &req("create", "cronjobs")
            .ns(Some("shop"))
            .body(workload("CronJob", "batch/v1", "shop", "web", spec))
            .event(),
    );
    assert_eq!(values(&e, "ka.verb"), ["create"]);
    assert_eq!(values(&e, "ka.target.resource"), ["cronjobs"]);
    assert_eq!(values(&e, "ka.target.namespace"), ["shop"]);
    assert_eq!(
        values(&e, "ka.user.groups"),
        ["developers", "system:authenticated"]
    );
    assert_eq!(
        values(&e, "ka.req.pod.containers.image"),
        [
            "busybox:1.36",
            "registry.example.com:5000/shop/web:1.2@sha256:abc",
            "envoy:1.30"
        ]
    );
    assert_eq!(
        values(&e, "ka.req.pod.containers.image.repository"),
        ["busybox", "registry.example.com:5000/shop/web", "envoy"]
    );
    assert_eq!(
        values(&e, "ka.req.pod.containers.privileged"),
        ["true", "false", "false"]
    );
    assert_eq!(values(&e, "ka.req.pod.initContainers.privileged"), ["true"]);
    assert!(values(&e, "ka.req.pod.ephemeralContainers.privileged").is_empty());
    assert_eq!(
        values(&e, "ka.req.pod.initContainers.image"),
        ["busybox:1.36"]
    );
    let time = values(&e, "jevt.time");
    let raw: i64 = values(&e, "jevt.rawtime")[0].parse().unwrap();
    assert_eq!(
        raw,
        palisade_audit::alert::parse_rfc3339_micros(&time[0]).unwrap() * 1000
    );
    assert_eq!(
        values(&e, "ka.req.pod.containers.eff_run_as_user"),
        ["0", "1000", "1000"]
    );
    assert_eq!(
        values(&e, "ka.req.pod.containers.add_capabilities"),
        ["NET_ADMIN"]
    );
    assert_eq!(values(&e, "ka.req.pod.host_network"), ["true"]);
    assert_eq!(values(&e, "ka.req.pod.host_pid"), ["false"]);
    assert_eq!(values(&e, "ka.req.pod.fs_group"), ["2000"]);
    assert_eq!(
        values(&e, "ka.req.pod.volumes.hostpath"),
        ["/var/lib/kubelet"]
    );
    assert_eq!(
        values(&e, "ka.req.volume.hostpath[/var/lib/kubelet/pki]"),
        ["true"]
    );
    assert_eq!(values(&e, "ka.req.volume.hostpath[/etc]"), ["false"]);
    assert_eq!(
        values(&e, "ka.req.pod.volumes.volume_type"),
        ["hostPath", "secret"]
    );
    assert_eq!(values(&e, "ka.response.code"), ["201"]);
    assert_eq!(values(&e, "ka.auth.decision"), ["allow"]);
    assert_eq!(values(&e, "ka.sourceips"), ["203.0.113.7"]);
    assert_eq!(values(&e, "ka.useragent"), [KUBECTL]);
    assert_eq!(values(&e, "ka.stage"), ["ResponseComplete"]);
    assert_eq!(
        values(&e, "ka.uri"),
        ["/apis/batch/v1/namespaces/shop/cronjobs"]
    );
    assert_eq!(values(&e, "ka.cluster.name"), ["c1"]);
    assert_eq!(values(&e, "ka.resp.name"), ["web"]);
    assert_eq!(
        values(&e, "jevt.value[/requestObject/spec/schedule]"),
        ["*/5 * * * *"]
    );
    assert_eq!(
        values(
            &e,
            "jevt.value[/requestObject/spec/jobTemplate/spec/template/spec/containers/1/image]"
        ),
        ["envoy:1.30"]
    );
    assert_eq!(
        values(&e, "jevt.value[/objectRef]"),
        [
            r#"{"apiGroup":"batch","apiVersion":"v1","name":"web","namespace":"shop","resource":"cronjobs"}"#
        ]
    );
    assert!(values(&e, "jevt.value[/nope/x]").is_empty());
    assert!(values(&e, "ka.req.binding.role").is_empty());
    assert!(values(&e, "ka.target.subresource").is_empty());
}

#[test]
fn fields_of_bindings_roles_and_uris() {
    let b = decode(&req("create", "clusterrolebindings").ns(None).name(Some("b")).body(binding(
        "ClusterRoleBinding",
        None,
        "b",
        "cluster-admin",
        json!([{"kind": "User", "name": "eve"}, {"kind": "ServiceAccount", "name": "ci", "namespace": "ci"}]),
    )).event());
    assert_eq!(values(&b, "ka.req.binding.role"), ["cluster-admin"]);
    assert_eq!(values(&b, "ka.req.binding.subjects"), ["eve", "ci"]);
    assert_eq!(values(&b, "ka.req.binding.subject.has_name[eve]"), ["true"]);
    assert_eq!(
        values(&b, "ka.req.binding.subject.has_name[bob]"),
        ["false"]
    );
    let r = decode(
        &req("create", "roles")
            .body(role(
                "Role",
                Some("default"),
                "r",
                json!([
                    {"apiGroups": [""], "resources": ["pods", "secrets"], "verbs": ["get"]},
                    {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}
                ]),
            ))
            .event(),
    );
    assert_eq!(values(&r, "ka.req.role.rules.verbs"), ["get", "*"]);
    assert_eq!(
        values(&r, "ka.req.role.rules.resources"),
        ["pods", "secrets", "deployments"]
    );
    assert_eq!(values(&r, "ka.req.role.rules.apiGroups"), ["", "apps"]);
    let x = decode(
        &req("create", "pods")
            .subres("exec")
            .query("command=cat&command=%2Fetc%2Fshadow&container=web")
            .code(101)
            .event(),
    );
    assert_eq!(values(&x, "ka.uri.param[command]"), ["cat"]);
    assert_eq!(values(&x, "ka.uri.param[container]"), ["web"]);
    assert_eq!(values(&x, "ka.target.subresource"), ["exec"]);
    assert_eq!(values(&x, "ka.target.pod.name"), ["web"]);
    // A Pod's exec options are not a pod spec.
    assert!(values(&x, "ka.req.pod.containers.image").is_empty());
}

#[test]
fn unknown_fields_and_bad_arguments_are_refused() {
    assert!(AuditFields.resolve("proc.name", None).is_err());
    assert!(AuditFields.resolve("ka.verb", Some("x")).is_err());
    assert!(AuditFields.resolve("jevt.value", None).is_err());
    assert!(AuditFields.resolve("jevt.value", Some("no-slash")).is_err());
    assert!(AuditFields::list().count() >= 60);
}

#[test]
fn decode_errors_are_clear() {
    let err = |s: &str| AuditEvent::from_slice(s.as_bytes()).unwrap_err();
    assert!(matches!(err("{"), DecodeError::Json(_)));
    assert!(matches!(err("[1]"), DecodeError::NotAnEvent(_)));
    assert_eq!(
        err(r#"{"kind":"Pod","verb":"get","user":{}}"#).to_string(),
        "not an audit event: kind is \"Pod\", expected \"Event\""
    );
    assert_eq!(
        err(r#"{"kind":"Event","user":{}}"#).to_string(),
        "not an audit event: no `verb`"
    );
    assert_eq!(
        err(r#"{"kind":"Event","verb":"get","user":"x"}"#).to_string(),
        "not an audit event: invalid type: string \"x\", expected struct UserInfo at line 1 column 39"
    );
    assert_eq!(
        err("[1]").to_string(),
        "not an audit event: expected a JSON object, found a list"
    );
    assert!(err(r#"{"verb":"get","user":{},"apiVersion":"v1"}"#)
        .to_string()
        .contains("audit.k8s.io/v1"));
    // Deep nesting under keys Palisade does not read is skipped without recursion.
    let deep = format!(
        "{{\"verb\":\"get\",\"user\":{{}},\"x\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(AuditEvent::from_slice(deep.as_bytes()).is_ok());
    // Where it is read, deep nesting is refused by the recursion limit, not a stack overflow.
    let deep = format!(
        "{{\"verb\":\"get\",\"user\":{{}},\"requestObject\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(
        matches!(AuditEvent::from_slice(deep.as_bytes()).unwrap_err(), DecodeError::Json(m) if m.contains("recursion limit"))
    );
    let big = vec![b' '; palisade_audit::decode::MAX_EVENT_BYTES + 1];
    assert!(matches!(
        AuditEvent::from_slice(&big).unwrap_err(),
        DecodeError::TooLarge(_)
    ));
}

#[test]
fn event_list_batches_keep_good_items() {
    let good = req("get", "pods").event();
    let list = json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": [good, {"kind": "Event"}, good]});
    let items = decode_batch(&serde_json::to_vec(&list).unwrap()).unwrap();
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_err() && items[2].is_ok());
    let single = decode_batch(&serde_json::to_vec(&req("get", "pods").event()).unwrap()).unwrap();
    assert_eq!(single.len(), 1);
    assert!(decode_batch(br#"{"kind":"EventList","items":7}"#).is_err());
}

#[test]
fn rfc3339() {
    assert_eq!(parse_rfc3339_micros("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(
        parse_rfc3339_micros("2026-03-02T10:15:30.123456Z"),
        Some(1_772_446_530_123_456)
    );
    assert_eq!(
        parse_rfc3339_micros("2026-03-02T11:15:30.5+01:00"),
        Some(1_772_446_530_500_000)
    );
    assert_eq!(parse_rfc3339_micros("yesterday"), None);
}

#[test]
fn deduplication_within_a_window() {
    let (engine, _) = builtin_engine();
    let mut detector = Detector::new(engine, None);
    let exec = |t: &'static str, user: &'static str, pod: &'static str| {
        decode(
            &req("create", "pods")
                .name(Some(pod))
                .subres("exec")
                .code(101)
                .at(t)
                .user(user)
                .event(),
        )
    };
    let mut dedup = Deduplicator::new(Duration::from_secs(60), 1000);
    let mut out = Vec::new();
    let mut alerts = Vec::new();
    for ev in [
        exec("2026-03-02T10:00:00Z", "alice", "web"),
        exec("2026-03-02T10:00:10Z", "alice", "web"),
        exec("2026-03-02T10:00:20Z", "bob", "web"),
        exec("2026-03-02T10:00:30Z", "alice", "web"),
        exec("2026-03-02T10:00:40Z", "alice", "db"),
        // 61 s after the first: alice/web's window has closed.
        exec("2026-03-02T10:01:01Z", "alice", "web"),
    ] {
        alerts.clear();
        detector.analyze(&ev, &mut alerts);
        assert_eq!(alerts.len(), 1);
        for a in alerts.drain(..) {
            dedup.push(a, &mut out);
        }
    }
    assert_eq!(out.len(), 1, "alice/web closed by the last event");
    assert_eq!(out[0].count, 3);
    assert_eq!(out[0].time, "2026-03-02T10:00:00Z");
    assert_eq!(out[0].last_seen, "2026-03-02T10:00:30Z");
    dedup.flush(&mut out);
    let summary: Vec<(String, String, u64)> = out
        .iter()
        .map(|a| {
            (
                a.user.name.clone(),
                a.resource.name.clone().unwrap_or_default(),
                a.count,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("alice".to_string(), "web".to_string(), 3),
            ("bob".into(), "web".into(), 1),
            ("alice".into(), "db".into(), 1),
            ("alice".into(), "web".into(), 1),
        ]
    );
    // Window 0: no grouping.
    let mut none = Deduplicator::new(Duration::ZERO, 10);
    let mut out = Vec::new();
    for _ in 0..3 {
        alerts.clear();
        detector.analyze(&exec("2026-03-02T10:00:00Z", "alice", "web"), &mut alerts);
        none.push(alerts.remove(0), &mut out);
    }
    assert_eq!(out.len(), 3);
}

#[test]
fn index_key_is_the_resource() {
    let e = decode(&req("get", "pods").event());
    let rec = AuditRecord {
        event: &e,
        cluster: None,
    };
    assert_eq!(rec.index_key(), Some("pods"));
    let spec = AuditFields.resolve("ka.verb", None).unwrap();
    assert_eq!(rec.extract(&spec), Values::One(Value::Str("get".into())));
}

#[test]
fn deduplication_memory_is_bounded() {
    let (engine, _) = builtin_engine();
    let mut detector = Detector::new(engine, None);
    let names = ["a", "b", "c", "d", "e"];
    let mut dedup = Deduplicator::new(Duration::from_secs(3600), 3);
    let mut out = Vec::new();
    let mut alerts = Vec::new();
    for n in names {
        alerts.clear();
        let ev = req("create", "pods")
            .name(Some(n))
            .subres("exec")
            .code(101)
            .event();
        detector.analyze(&decode(&ev), &mut alerts);
        for a in alerts.drain(..) {
            dedup.push(a, &mut out);
        }
        assert!(dedup.open_groups() <= 3);
    }
    // The two oldest groups were emitted early to stay within three open groups.
    assert_eq!(dedup.evicted, 2);
    let emitted: Vec<_> = out
        .iter()
        .map(|a| a.resource.name.clone().unwrap())
        .collect();
    assert_eq!(emitted, ["a", "b"]);
}
