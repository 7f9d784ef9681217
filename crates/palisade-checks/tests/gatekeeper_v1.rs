//! Today's ConstraintTemplate layout (`code` engines, Rego v1, `v1alpha1`), constraint
//! parameters checked against the template's schema, and violation details.

use std::path::PathBuf;

use palisade_checks::rego::{self, parameters::UnknownFields};
use palisade_k8s::source::load_path_strs;
use palisade_k8s::Inventory;
use serde_json::json;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/gatekeeper")
        .join(rel)
}

fn inventory() -> Inventory {
    let loaded = load_path_strs(&[fixture("manifests-v1").to_str().unwrap()]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    Inventory::new(loaded.objects)
}

#[test]
fn code_engines_rego_v1_libs_and_v1alpha1_templates_run() {
    let (set, errors) = rego::load_paths(&[fixture("policies-v1")]);
    assert!(errors.is_empty(), "{errors:?}");
    let replicas = set
        .templates
        .iter()
        .find(|t| t.kind == "PalReplicaLimits")
        .unwrap();
    assert_eq!(replicas.rego_version, "v1");
    assert_eq!(replicas.unknown_fields, UnknownFields::Prune);
    assert_eq!(replicas.title.as_deref(), Some("Replica Limits"));
    let latest = set
        .templates
        .iter()
        .find(|t| t.kind == "PalNoLatest")
        .unwrap();
    assert_eq!(latest.rego_version, "v0");
    assert_eq!(latest.unknown_fields, UnknownFields::Preserve);

    let eval = set.evaluate(&inventory());
    assert!(eval.errors.is_empty(), "{:?}", eval.errors);
    let mut got: Vec<(&str, String, &str)> = eval
        .findings
        .iter()
        .map(|f| (f.check_id, f.object.to_string(), f.message.as_str()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                "PalEchoParameters/echo",
                "Namespace/shop".to_owned(),
                "parameters"
            ),
            (
                "PalNoLatest/no-latest",
                "Deployment/shop/one-replica".to_owned(),
                "container web uses a latest tag"
            ),
            (
                "PalReplicaLimits/between-two-and-five",
                "Deployment/shop/one-replica".to_owned(),
                "Deployment one-replica has 1 replicas, outside the allowed ranges"
            ),
        ]
    );
    let limits = eval
        .findings
        .iter()
        .find(|f| f.check_id == "PalReplicaLimits/between-two-and-five")
        .unwrap();
    assert_eq!(
        limits.title,
        "Replica Limits (Gatekeeper constraint PalReplicaLimits/between-two-and-five)"
    );
    // The details as the policy built them, with the pruned parameters.
    assert_eq!(
        limits.details,
        Some(json!({"replicas": 1, "allowed": [{"min_replicas": 2, "max_replicas": 5}]}))
    );
    let echo = eval
        .findings
        .iter()
        .find(|f| f.check_id == "PalEchoParameters/echo")
        .unwrap();
    assert_eq!(echo.details, Some(json!({"note": "kept"})));
}

#[test]
fn constraints_whose_parameters_do_not_fit_are_refused_with_the_reason() {
    let (set, errors) = rego::load_paths(&[fixture("bad-parameters")]);
    let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    let text = messages.join("\n");
    assert_eq!(errors.len(), 3, "{text}");
    assert!(
        text.contains("constraint PalMaxReplicas/max-is-a-string: parameters do not fit the template's schema: spec.parameters.max: must be of type integer, got string; spec.parameters.mode: \"block\" is not one of the allowed values \"deny\", \"audit\""),
        "{text}"
    );
    assert!(
        text.contains("constraint PalMaxReplicas/max-missing: parameters do not fit the template's schema: spec.parameters.max: Required value"),
        "{text}"
    );
    assert!(
        text.contains("ConstraintTemplate palcelonly: spec.targets[0].code has no Rego engine"),
        "{text}"
    );
    assert!(errors
        .iter()
        .all(|e| e.location.file.ends_with("wrong-types.yaml")));
    let wrong_type = errors
        .iter()
        .find(|e| e.message.contains("max-is-a-string"))
        .unwrap();
    assert_eq!(wrong_type.location.line, 27, "the constraint's own line");
    // The constraint that fits is kept.
    let names: Vec<&str> = set.constraints.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["fits"]);
}
