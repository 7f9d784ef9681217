//! Gatekeeper ConstraintTemplates and constraints at admission: enforcementAction deny / warn /
//! dryrun → enforce / warn / audit, `input.review` is the request itself (userInfo,
//! operation), and UPDATE judges only what the change introduces.

mod common;

use common::*;
use palisade_admission::{decode, load_file, policy, Admission, Decision, Mode, Options};
use serde_json::json;

fn admission(text: Option<&str>) -> Admission {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/gatekeeper-policy.yaml"
    );
    let policies = match text {
        None => load_file(std::path::Path::new(path)).unwrap(),
        Some(t) => policy::compile_in(
            t,
            "t",
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")),
        )
        .unwrap(),
    };
    Admission::new(policies, Options::default())
}

fn review(a: &Admission, body: serde_json::Value) -> Decision {
    a.review(&decode(body.to_string().as_bytes()).unwrap())
}

fn privileged_pod() -> serde_json::Value {
    let mut c = good_container("app");
    c["securityContext"]["privileged"] = json!(true);
    pod("p", pod_spec(vec![c]))
}

#[test]
fn constraints_enforce_warn_and_audit() {
    let a = admission(None);
    // deny → enforce.
    let d = review(&a, Req::create("Pod", "dev", privileged_pod()).body("1"));
    assert!(!d.allowed());
    let msg = d.response.status.as_ref().unwrap().message.clone().unwrap();
    assert!(
        msg.contains("[gatekeeper] PalNoPrivileged/no-privileged")
            && msg.contains("privileged container app is not allowed"),
        "{msg}"
    );
    // Same in a Deployment; an unprivileged one passes.
    let dep = workload(
        "Deployment",
        "w",
        pod_spec(vec![privileged_pod()["spec"]["containers"][0].clone()]),
    );
    assert!(!review(&a, Req::create("Deployment", "dev", dep).body("2")).allowed());
    let ok = workload("Deployment", "w", pod_spec(vec![good_container("app")]));
    let d = review(&a, Req::create("Deployment", "dev", ok).body("3"));
    assert!(d.allowed() && d.results.is_empty());
    // dryrun → audit: allowed, recorded.
    let d = review(
        &a,
        Req::create("Pod", "sandbox", privileged_pod()).body("4"),
    );
    assert!(d.allowed());
    assert_eq!(d.results.len(), 1);
    assert_eq!(d.results[0].mode, Mode::Audit);
    assert!(d.response.audit_annotations["policy-gatekeeper"].starts_with("mode=audit"));
    // warn, from input.review.userInfo: the request itself reaches the Rego.
    let mut body = Req::create(
        "Deployment",
        "dev",
        workload("Deployment", "w", pod_spec(vec![good_container("app")])),
    )
    .body("5");
    body["request"]["userInfo"]["username"] = json!("mallory");
    let d = review(&a, body.clone());
    assert!(d.allowed());
    assert!(
        d.response
            .warnings
            .iter()
            .any(|w| w.contains("mallory may not create workloads")),
        "{:?}",
        d.response.warnings
    );
    // The same request as an UPDATE: the template only objects to CREATE.
    body["request"]["operation"] = json!("UPDATE");
    body["request"]["oldObject"] = body["request"]["object"].clone();
    let d = review(&a, body);
    assert!(d.results.is_empty(), "{:?}", d.results);
}

#[test]
fn policy_mode_caps_constraint_actions_and_update_is_a_diff() {
    let a = admission(Some("apiVersion: palisade.dev/v1alpha1\nkind: AdmissionPolicy\npolicies:\n- {name: gk, mode: warn, gatekeeper: {paths: [gatekeeper]}}\n"));
    let d = review(&a, Req::create("Pod", "dev", privileged_pod()).body("1"));
    assert!(d.allowed());
    assert_eq!(d.results[0].mode, Mode::Warn);
    // UPDATE of an already-privileged pod that changes nothing privileged: nothing new.
    let a = admission(None);
    let old = privileged_pod();
    let mut new = old.clone();
    new["metadata"]["labels"] = json!({"team": "a"});
    let d = review(&a, Req::create("Pod", "dev", new).update(old).body("2"));
    assert!(d.allowed() && d.results.is_empty(), "{:?}", d.results);
}

#[test]
fn broken_gatekeeper_policies_are_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.yaml"), "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {name: x}\nspec:\n  crd: {spec: {names: {kind: X}}}\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    rego: 'package x\n\n violation[{\"msg\": m}] { m := }'\n").unwrap();
    let err = policy::compile_in("apiVersion: palisade.dev/v1alpha1\nkind: AdmissionPolicy\npolicies:\n- {name: gk, mode: enforce, gatekeeper: {paths: [t.yaml]}}\n", "t", dir.path()).unwrap_err().to_string();
    assert!(err.contains("gatekeeper:"), "{err}");
    let err = policy::compile_in("apiVersion: palisade.dev/v1alpha1\nkind: AdmissionPolicy\npolicies:\n- {name: gk, mode: enforce, gatekeeper: {paths: [missing]}}\n", "t", dir.path()).unwrap_err().to_string();
    assert!(err.contains("gatekeeper"), "{err}");
}
