//! The pure core against requests shaped as the API server sends them: allowed and denied
//! fixtures for every policy kind and mode, every judged kind, UPDATE, dryRun, subresources.

mod common;

use common::*;
use palisade_admission::{decode, load_file, Admission, Decision, Options};
use serde_json::{json, Value};

fn admission() -> Admission {
    let policies = load_file(std::path::Path::new(POLICIES)).unwrap();
    Admission::new(
        policies,
        Options {
            exempt_namespaces: vec!["palisade-system".into(), "kube-system".into()],
        },
    )
}

fn review(a: &Admission, req: &Req) -> Decision {
    let body = serde_json::to_vec(&req.body("705ab4f5-6393-11e8-b7cc-42010a800002")).unwrap();
    let request = decode(&body).unwrap();
    let d = a.review(&request);
    assert_eq!(d.response.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
    d
}

fn message(d: &Decision) -> String {
    d.response
        .status
        .as_ref()
        .and_then(|s| s.message.clone())
        .unwrap_or_default()
}

fn privileged(name: &str) -> Value {
    let mut c = good_container(name);
    c["securityContext"]["privileged"] = json!(true);
    c
}

const KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

#[test]
fn good_workloads_of_every_kind_are_allowed_in_prod() {
    let a = admission();
    for kind in KINDS {
        let obj = workload(kind, "shop", pod_spec(vec![good_container("app")]));
        let d = review(&a, &Req::create(kind, "prod", obj));
        assert!(d.allowed(), "{kind}: {}", message(&d));
        assert!(d.results.is_empty(), "{kind}: {:?}", d.results);
        assert!(d.response.warnings.is_empty());
    }
}

#[test]
fn privileged_containers_are_denied_in_every_kind_with_an_actionable_message() {
    let a = admission();
    for kind in KINDS {
        let obj = workload(
            kind,
            "shop",
            pod_spec(vec![good_container("app"), privileged("debug")]),
        );
        for ns in ["prod", "dev"] {
            let d = review(&a, &Req::create(kind, ns, obj.clone()));
            assert!(!d.allowed(), "{kind} in {ns} allowed");
            let status = d.response.status.as_ref().unwrap();
            assert_eq!(status.code, Some(403));
            let m = message(&d);
            // Which policy, which rule, which container, the fix.
            let policy = if ns == "prod" {
                "pss-restricted-prod"
            } else {
                "pss-baseline"
            };
            assert!(m.contains(&format!("[{policy}] PAL-K8S-003")), "{m}");
            assert!(m.contains("container \"debug\""), "{m}");
            assert!(!m.contains("container \"app\""), "{m}");
            assert!(m.contains("Fix: "), "{m}");
            assert!(m.contains(&format!("{kind} {ns}/shop")), "{m}");
            assert!(d
                .response
                .audit_annotations
                .contains_key(&format!("policy-{policy}")));
        }
    }
}

#[test]
fn restricted_applies_in_prod_and_baseline_elsewhere() {
    let a = admission();
    // Runs as root, may escalate: fine for baseline, not for restricted.
    let mut c = good_container("app");
    c["securityContext"] = json!({});
    let obj = workload("Deployment", "web", pod_spec(vec![c]));
    let prod = review(&a, &Req::create("Deployment", "prod", obj.clone()));
    assert!(!prod.allowed());
    let m = message(&prod);
    assert!(
        m.contains("pss-restricted-prod") && m.contains("runAsNonRoot")
            || m.contains("PAL-K8S-015"),
        "{m}"
    );
    // The same workload in a payments-* namespace (prefix scope) is denied too.
    assert!(!review(&a, &Req::create("Deployment", "payments-eu", obj.clone())).allowed());
    let dev = review(&a, &Req::create("Deployment", "dev", obj));
    assert!(dev.allowed(), "{}", message(&dev));
}

#[test]
fn registry_rules_enforce_in_prod_and_warn_elsewhere() {
    let a = admission();
    let with_image = |image: &str| {
        let mut c = good_container("app");
        c["image"] = json!(image);
        workload("Deployment", "web", pod_spec(vec![c]))
    };
    // Unapproved registry, no digest, latest: three findings in prod.
    let d = review(
        &a,
        &Req::create(
            "Deployment",
            "prod",
            with_image("docker.io/library/nginx:latest"),
        ),
    );
    assert!(!d.allowed());
    let m = message(&d);
    for id in ["PAL-K8S-041", "PAL-K8S-042", "PAL-K8S-043"] {
        assert!(
            m.contains(&format!("[prod-registries] {id}")),
            "{id} missing: {m}"
        );
    }
    // Approved registry and a version tag, no digest: denied only for the digest.
    let d = review(
        &a,
        &Req::create(
            "Deployment",
            "prod",
            with_image("registry.example.com/team/api:2.1"),
        ),
    );
    assert!(!d.allowed());
    let m = message(&d);
    assert!(
        m.contains("PAL-K8S-042") && !m.contains("PAL-K8S-043") && !m.contains("PAL-K8S-041"),
        "{m}"
    );
    // A repository outside the allowed path of ghcr.io is refused.
    let d = review(&a, &Req::create("Deployment", "prod", with_image("ghcr.io/evil/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")));
    assert!(
        !d.allowed() && message(&d).contains("PAL-K8S-043"),
        "{}",
        message(&d)
    );
    // In dev, `latest` is a warning (mode warn), the request is allowed.
    let d = review(&a, &Req::create("Deployment", "dev", with_image("nginx")));
    assert!(d.allowed(), "{}", message(&d));
    assert_eq!(d.response.warnings.len(), 1, "{:?}", d.response.warnings);
    assert!(
        d.response.warnings[0].starts_with("palisade: [no-latest] PAL-K8S-041"),
        "{:?}",
        d.response.warnings
    );
    assert!(d.response.audit_annotations["policy-no-latest"].starts_with("mode=warn findings=1"));
}

#[test]
fn audit_mode_allows_and_records() {
    let a = admission();
    let mut c = good_container("app");
    c["resources"] = json!({});
    let d = review(
        &a,
        &Req::create(
            "StatefulSet",
            "dev",
            workload("StatefulSet", "db", pod_spec(vec![c])),
        ),
    );
    assert!(d.allowed());
    assert!(d.response.status.is_none());
    assert_eq!(d.results.len(), 1);
    assert_eq!(d.results[0].finding.check_id, "PAL-K8S-038");
    assert!(
        d.response.warnings[0].starts_with("palisade (audit): [memory-limits]"),
        "{:?}",
        d.response.warnings
    );
    let ann = &d.response.audit_annotations["policy-memory-limits"];
    assert!(
        ann.starts_with("mode=audit findings=1 PAL-K8S-038: container \"app\""),
        "{ann}"
    );
}

#[test]
fn update_judges_only_what_the_change_introduces() {
    let a = admission();
    // An existing privileged container (admitted before the policy) stays; scaling is fine.
    let old = workload("Deployment", "legacy", pod_spec(vec![privileged("old")]));
    let mut new = old.clone();
    new["spec"]["replicas"] = json!(5);
    let d = review(
        &a,
        &Req::create("Deployment", "dev", new).update(old.clone()),
    );
    assert!(d.allowed(), "{}", message(&d));
    // Adding a second privileged container is a new finding: denied, naming only it.
    let mut new = old.clone();
    new["spec"]["template"]["spec"]["containers"] =
        json!([privileged("old"), privileged("sidecar")]);
    let d = review(
        &a,
        &Req::create("Deployment", "dev", new.clone()).update(old),
    );
    assert!(!d.allowed());
    let m = message(&d);
    assert!(
        m.contains("container \"sidecar\"") && !m.contains("container \"old\""),
        "{m}"
    );
    // The same object on CREATE is judged whole.
    let d = review(&a, &Req::create("Deployment", "dev", new));
    assert!(message(&d).contains("container \"old\""));
}

#[test]
fn ephemeral_containers_are_judged() {
    let a = admission();
    let old = pod("web-0", pod_spec(vec![good_container("app")]));
    let mut new = old.clone();
    let mut debug = privileged("debugger");
    debug["targetContainerName"] = json!("app");
    new["spec"]["ephemeralContainers"] = json!([debug]);
    let mut req = Req::create("Pod", "dev", new).update(old);
    req.sub_resource = Some("ephemeralcontainers");
    let d = review(&a, &req);
    assert!(!d.allowed());
    assert!(
        message(&d).contains("ephemeral container \"debugger\""),
        "{}",
        message(&d)
    );
}

#[test]
fn dry_run_gets_the_same_decision_marked_dry_run() {
    let a = admission();
    let mut req = Req::create("Pod", "dev", pod("p", pod_spec(vec![privileged("x")])));
    let wet = review(&a, &req);
    req.dry_run = true;
    let dry = review(&a, &req);
    assert!(!wet.allowed() && !dry.allowed());
    assert!(dry.dry_run && !wet.dry_run);
    assert_eq!(message(&wet), message(&dry));
}

#[test]
fn exempt_namespaces_other_kinds_and_subresources_pass() {
    let a = admission();
    let bad = pod("p", pod_spec(vec![privileged("x")]));
    for ns in ["kube-system", "palisade-system"] {
        assert!(
            review(&a, &Req::create("Pod", ns, bad.clone())).allowed(),
            "{ns}"
        );
    }
    let cm = json!({"metadata": {"name": "c"}, "data": {"a": "b"}});
    assert!(review(&a, &Req::create("ConfigMap", "dev", cm)).allowed());
    let mut status = Req::create("Pod", "dev", bad.clone()).update(bad.clone());
    status.sub_resource = Some("status");
    assert!(review(&a, &status).allowed());
    let mut del = Req::create("Pod", "dev", bad);
    del.operation = "DELETE";
    assert!(review(&a, &del).allowed());
}

#[test]
fn an_object_that_does_not_type_is_denied_with_the_reason() {
    let a = admission();
    let obj = json!({"metadata": {"name": "p"}, "spec": {"containers": "not-a-list"}});
    let d = review(&a, &Req::create("Pod", "dev", obj));
    assert!(!d.allowed());
    assert_eq!(d.response.status.as_ref().unwrap().code, Some(400));
    assert!(
        message(&d).contains("does not match the Kubernetes schema"),
        "{}",
        message(&d)
    );
}
