//! A Falco-style user rule file loads unchanged and runs, alongside the built-in rules.

mod common;

use std::collections::BTreeSet;

use common::*;
use palisade_audit::builtin::builtin_ruleset;
use palisade_audit::{AuditEvent, AuditFields, Detector};
use palisade_model::Severity;
use serde_json::json;

fn fired(detector: &mut Detector, event: &serde_json::Value) -> BTreeSet<String> {
    let ev = AuditEvent::from_slice(&serde_json::to_vec(event).unwrap()).unwrap();
    let mut alerts = Vec::new();
    detector.analyze(&ev, &mut alerts);
    alerts.into_iter().map(|a| a.rule).collect()
}

#[test]
fn falco_style_file_loads_unchanged_and_fires() {
    let mut set = builtin_ruleset();
    set.add_file(
        "falco_style_rules.yaml",
        include_str!("fixtures/falco_style_rules.yaml"),
    );
    let (engine, diags) = set.compile(&AuditFields);
    assert!(diags.is_empty(), "{diags:#?}");
    let exec_rule = engine
        .rules()
        .iter()
        .find(|r| r.meta.name == "Exec by a human")
        .unwrap();
    assert_eq!(exec_rule.meta.severity, Severity::High);
    let mut d = Detector::new(engine, None);
    let unapproved = "Pod image from an unapproved registry";
    let pod_with = |ns: &'static str, image: &str| {
        req("create", "pods")
            .ns(Some(ns))
            .body(pod(ns, "web", pod_spec(vec![container("web", image)])))
            .event()
    };
    assert!(fired(&mut d, &pod_with("shop", "quay.io/evil/app:1")).contains(unapproved));
    assert!(!fired(&mut d, &pod_with("shop", "docker.io/library/nginx:1.25")).contains(unapproved));
    assert!(!fired(
        &mut d,
        &pod_with("shop", "registry.example.com/platform/agent:2")
    )
    .contains(unapproved));
    assert!(!fired(
        &mut d,
        &pod_with("shop", "registry.example.com/platform/sidecar:2")
    )
    .contains(unapproved));
    assert!(!fired(&mut d, &pod_with("sandbox", "quay.io/evil/app:1")).contains(unapproved));
    assert!(!fired(&mut d, &pod_with("playground", "quay.io/evil/app:1")).contains(unapproved));
    let mut failed = pod_with("shop", "quay.io/evil/app:1");
    failed["responseStatus"] =
        json!({"metadata": {}, "status": "Failure", "reason": "Forbidden", "code": 403});
    assert!(!fired(&mut d, &failed).contains(unapproved));
    let exec = req("create", "pods")
        .subres("exec")
        .query("command=sh")
        .code(101)
        .event();
    let hits = fired(&mut d, &exec);
    assert!(hits.contains("Exec by a human"), "{hits:?}");
    assert!(
        hits.contains("Exec into a pod"),
        "built-in rules fire too: {hits:?}"
    );
}
