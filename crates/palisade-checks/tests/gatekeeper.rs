//! Gatekeeper ConstraintTemplates (fixtures/gatekeeper) run over sample manifests.

use std::path::PathBuf;
use std::sync::Arc;

use palisade_checks::rego::{self, PolicySet};
use palisade_k8s::source::load_path_strs;
use palisade_k8s::{load_str, Inventory, LoadOptions, Loaded};
use palisade_model::Severity;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/gatekeeper")
        .join(rel)
}

fn policies() -> PolicySet {
    let (set, errors) = rego::load_paths(&[fixture("policies")]);
    assert!(errors.is_empty(), "{errors:?}");
    set
}

fn inventory_of(text: &str) -> Inventory {
    let mut loaded = Loaded::default();
    load_str(
        text,
        Arc::from("inline.yaml"),
        &LoadOptions::default(),
        &mut loaded,
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    Inventory::new(loaded.objects)
}

fn sample_inventory() -> Inventory {
    let loaded = load_path_strs(&[fixture("manifests").to_str().unwrap()]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    Inventory::new(loaded.objects)
}

/// (check id, object name, message) of every finding.
fn found(set: &PolicySet, inv: &Inventory) -> Vec<(String, String, String)> {
    let eval = set.evaluate(inv);
    assert!(eval.errors.is_empty(), "{:?}", eval.errors);
    eval.findings
        .iter()
        .map(|f| {
            (
                f.check_id.to_owned(),
                f.object.name.clone(),
                f.message.clone(),
            )
        })
        .collect()
}

#[test]
fn loads_templates_with_libs_and_several_documents_per_file() {
    let set = policies();
    let mut kinds: Vec<&str> = set.templates.iter().map(|t| t.kind.as_str()).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        ["PalAllowedRepos", "PalNoPrivileged", "PalRequiredLabels"]
    );
    assert_eq!(set.constraints.len(), 4);
    let t = set
        .templates
        .iter()
        .find(|t| t.kind == "PalRequiredLabels")
        .unwrap();
    assert_eq!(t.package, "data.palrequiredlabels");
}

#[test]
fn sample_manifests_give_exactly_the_expected_findings() {
    let set = policies();
    let inv = sample_inventory();
    let eval = set.evaluate(&inv);
    assert!(eval.errors.is_empty(), "{:?}", eval.errors);
    let mut got: Vec<(String, String, Severity, u32)> = eval
        .findings
        .iter()
        .map(|f| {
            (
                f.check_id.to_owned(),
                f.object.to_string(),
                f.severity,
                f.location.line,
            )
        })
        .collect();
    got.sort();
    let want = [
        // dryrun: low; only team-a (namespaces), Pod/Deployment/CronJob.
        (
            "PalAllowedRepos/team-a-repos",
            "Deployment/team-a/bad",
            Severity::Low,
            29,
        ),
        // deny (default): high; kube-system excluded; `unlabelled` is in `default`.
        (
            "PalNoPrivileged/workloads-not-privileged",
            "Deployment/team-a/bad",
            Severity::High,
            29,
        ),
        (
            "PalNoPrivileged/workloads-not-privileged",
            "Deployment/team-a/bad",
            Severity::High,
            29,
        ),
        (
            "PalNoPrivileged/workloads-not-privileged",
            "Deployment/team-a/bad",
            Severity::High,
            29,
        ),
        (
            "PalRequiredLabels/deployments-need-owner",
            "Deployment/default/unlabelled",
            Severity::High,
            48,
        ),
        (
            "PalRequiredLabels/deployments-need-owner",
            "Deployment/team-a/bad",
            Severity::High,
            29,
        ),
        // warn: medium; Namespaces labelled env=prod, team-b lacks cost-center.
        (
            "PalRequiredLabels/prod-namespaces-need-cost-center",
            "Namespace/team-b",
            Severity::Medium,
            7,
        ),
    ];
    let want: Vec<(String, String, Severity, u32)> = want
        .iter()
        .map(|(c, o, s, l)| (c.to_string(), o.to_string(), *s, *l))
        .collect();
    assert_eq!(got, want);
    let bad_messages: Vec<&str> = eval
        .findings
        .iter()
        .filter(|f| f.object.name == "bad")
        .map(|f| f.message.as_str())
        .collect();
    for m in [
        "container app is privileged",
        "volume root mounts host path /",
        "container app has no memory limit",
        "label owner=Nobody does not match ^team-[a-z]+$",
        "container app uses image docker.io/library/nginx:1.27 from outside [\"registry.example.com/\"]",
    ] {
        assert!(bad_messages.contains(&m), "{m:?} not in {bad_messages:?}");
    }
    // The Pod in team-b is privileged, but team-b is not labelled protected=true.
    assert!(!eval.findings.iter().any(|f| f.object.name == "loose"));
}

#[test]
fn review_is_what_gatekeeper_provides() {
    let inv =
        inventory_of("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec: {}\n");
    let review = rego::review(&inv.objects[0]);
    assert_eq!(review["kind"]["group"], "apps");
    assert_eq!(review["kind"]["version"], "v1");
    assert_eq!(review["kind"]["kind"], "Deployment");
    assert_eq!(review["operation"], "CREATE");
    assert_eq!(review["name"], "web");
    assert_eq!(review["namespace"], "default");
    assert_eq!(review["object"]["metadata"]["namespace"], "default");
    let ns = inventory_of("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n");
    let review = rego::review(&ns.objects[0]);
    assert_eq!(review["kind"]["group"], "");
    assert_eq!(review["namespace"], "");
    assert!(review["object"]["metadata"].get("namespace").is_none());
}

const ECHO_TEMPLATE: &str = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: palecho
spec:
  crd:
    spec:
      names:
        kind: PalEcho
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package palecho
        violation[{"msg": msg}] {
          msg := sprintf("%v/%v %v", [input.review.namespace, input.review.name, input.parameters.tag])
        }
"#;

fn echo(match_yaml: &str, objects: &str) -> Vec<String> {
    let policy = format!(
        "{ECHO_TEMPLATE}---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: PalEcho\nmetadata:\n  name: e\nspec:\n  parameters: {{tag: hit}}\n  match:\n{match_yaml}"
    );
    let inv = inventory_of(&policy);
    let (set, errors) = rego::load_objects(&inv.objects);
    assert!(errors.is_empty(), "{errors:?}");
    let mut names: Vec<String> = found(&set, &inventory_of(objects))
        .into_iter()
        .map(|(_, _, m)| m)
        .collect();
    names.sort();
    names
}

const OBJECTS: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: prod, labels: {app: web, tier: front}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: dev, labels: {app: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
";

#[test]
fn match_kinds() {
    assert_eq!(
        echo(
            "    kinds: [{apiGroups: [\"\"], kinds: [ConfigMap, Pod]}]\n",
            OBJECTS
        ),
        ["default/p hit", "prod/cm hit"]
    );
    assert_eq!(
        echo(
            "    kinds: [{apiGroups: [\"*\"], kinds: [Deployment]}]\n",
            OBJECTS
        ),
        ["dev/web hit"]
    );
    // Group must match: Deployment is in apps, not the core group.
    assert!(echo(
        "    kinds: [{apiGroups: [\"\"], kinds: [Deployment]}]\n",
        OBJECTS
    )
    .is_empty());
    // No kinds: everything.
    assert_eq!(echo("    {}\n", OBJECTS).len(), 6);
}

#[test]
fn match_namespaces_and_exclusions() {
    assert_eq!(
        echo("    namespaces: [prod, default]\n", OBJECTS),
        // Namespace objects are in themselves; the ClusterRole is not filtered.
        ["/prod hit", "/reader hit", "default/p hit", "prod/cm hit"]
    );
    assert_eq!(
        echo("    excludedNamespaces: [\"pr*\", default]\n", OBJECTS),
        ["/dev hit", "/reader hit", "dev/web hit"]
    );
}

#[test]
fn match_label_and_namespace_selectors_scope_and_name() {
    assert_eq!(
        echo("    labelSelector: {matchLabels: {app: web}}\n", OBJECTS),
        ["dev/web hit", "prod/cm hit"]
    );
    assert_eq!(
        echo(
            "    labelSelector:\n      matchExpressions: [{key: tier, operator: DoesNotExist}, {key: app, operator: Exists}]\n",
            OBJECTS
        ),
        ["dev/web hit"]
    );
    assert_eq!(
        echo("    labelSelector:\n      matchExpressions: [{key: app, operator: NotIn, values: [web]}]\n", OBJECTS),
        ["/dev hit", "/prod hit", "/reader hit", "default/p hit"]
    );
    assert_eq!(
        echo(
            "    namespaceSelector: {matchLabels: {env: prod}}\n",
            OBJECTS
        ),
        ["/prod hit", "/reader hit", "prod/cm hit"]
    );
    assert_eq!(
        echo("    scope: Cluster\n", OBJECTS),
        ["/dev hit", "/prod hit", "/reader hit"]
    );
    assert_eq!(
        echo("    scope: Namespaced\n    name: \"w*\"\n", OBJECTS),
        ["dev/web hit"]
    );
}

fn load_err(text: &str) -> String {
    let inv = inventory_of(text);
    let (_, errors) = rego::load_objects(&inv.objects);
    assert!(!errors.is_empty(), "no error for {text}");
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn broken_template_is_a_clear_error_with_its_file() {
    let (set, errors) = rego::load_paths(&[fixture("broken")]);
    assert!(set.templates.is_empty());
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = errors[0].to_string();
    assert!(e.contains("bad-rego.yaml:1"), "{e}");
    assert!(e.contains("ConstraintTemplate palbroken: rego"), "{e}");
}

#[test]
fn malformed_policies_are_errors_not_panics() {
    let bad_target = ECHO_TEMPLATE.replace("admission.k8s.gatekeeper.sh", "audit.example.com");
    assert!(load_err(&bad_target).contains("not supported"));
    let bad_name = ECHO_TEMPLATE.replace("name: palecho", "name: other");
    assert!(load_err(&bad_name).contains("lowercase of kind"));
    let bad_lib = ECHO_TEMPLATE.replace(
        "      rego: |",
        "      libs: [\"package notlib\\nx = 1\"]\n      rego: |",
    );
    assert!(
        load_err(&bad_lib).contains("must start with lib"),
        "{}",
        load_err(&bad_lib)
    );
    let orphan = "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: Nope\nmetadata: {name: n}\n";
    assert!(load_err(orphan).contains("no ConstraintTemplate defines kind Nope"));
    let bad_action = format!(
        "{ECHO_TEMPLATE}---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: PalEcho\nmetadata: {{name: nn}}\nspec: {{enforcementAction: block}}\n"
    );
    assert!(
        load_err(&bad_action).contains("enforcementAction \"block\""),
        "{}",
        load_err(&bad_action)
    );
    let bad_match = format!(
        "{ECHO_TEMPLATE}---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: PalEcho\nmetadata: {{name: nn}}\nspec: {{match: {{kinds: Pod}}}}\n"
    );
    assert!(load_err(&bad_match).contains("spec.match.kinds must be a list"));
    let deep = ECHO_TEMPLATE.replace("violation[", &format!("vi{}olation[", "[".repeat(40)));
    let started = std::time::Instant::now();
    assert!(
        load_err(&deep).contains("nest deeper than 12"),
        "{}",
        load_err(&deep)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let not_policy = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";
    assert!(load_err(not_policy).contains("not a ConstraintTemplate"));
}

#[test]
fn enforcement_actions_set_severity() {
    let make = |action: &str| {
        let policy = format!(
            "{ECHO_TEMPLATE}---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: PalEcho\nmetadata: {{name: nn}}\nspec:\n  parameters: {{tag: t}}\n  {action}\n"
        );
        let (set, errors) = rego::load_objects(&inventory_of(&policy).objects);
        assert!(errors.is_empty(), "{errors:?}");
        let eval = set.evaluate(&inventory_of(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
        ));
        assert_eq!(eval.findings.len(), 1);
        eval.findings[0].severity
    };
    assert_eq!(make(""), Severity::High);
    assert_eq!(make("enforcementAction: deny"), Severity::High);
    assert_eq!(make("enforcementAction: warn"), Severity::Medium);
    assert_eq!(make("enforcementAction: dryrun"), Severity::Low);
    assert_eq!(
        make("enforcementAction: scoped\n  scopedEnforcementActions: [{action: dryrun}, {action: warn}]"),
        Severity::Medium
    );
}

#[test]
fn data_inventory_is_available_for_referential_policies() {
    let policy = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: paluniqueapp
spec:
  crd:
    spec:
      names:
        kind: PalUniqueApp
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package paluniqueapp
        violation[{"msg": msg}] {
          app := input.review.object.metadata.labels.app
          other := data.inventory.namespace[ns][_]["Service"][name]
          other.metadata.labels.app == app
          name != input.review.name
          msg := sprintf("app %v also used by service %v/%v", [app, ns, name])
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: PalUniqueApp
metadata: {name: unique}
spec:
  match:
    kinds: [{apiGroups: [""], kinds: [Service]}]
"#;
    let (set, errors) = rego::load_objects(&inventory_of(policy).objects);
    assert!(errors.is_empty(), "{errors:?}");
    let inv = inventory_of(
        "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: x, labels: {app: web}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b, labels: {app: web}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: c, namespace: x, labels: {app: db}}\n",
    );
    let mut got: Vec<String> = found(&set, &inv).into_iter().map(|(_, _, m)| m).collect();
    got.sort();
    assert_eq!(
        got,
        [
            "app web also used by service default/b",
            "app web also used by service x/a"
        ]
    );
}

#[test]
fn a_review_sees_an_empty_data_inventory_and_the_scan_after_it_a_full_one() {
    let policy = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: palcountinventory
spec:
  crd:
    spec:
      names:
        kind: PalCountInventory
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package palcountinventory
        violation[{"msg": msg}] {
          n := count([o | o := data.inventory.namespace[_][_][_][_]])
          msg := sprintf("inventory holds %v objects", [n])
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: PalCountInventory
metadata: {name: count}
spec:
  match:
    kinds: [{apiGroups: [""], kinds: [ConfigMap]}]
"#;
    let (set, errors) = rego::load_objects(&inventory_of(policy).objects);
    assert!(errors.is_empty(), "{errors:?}");
    let inv = inventory_of(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: y}\n",
    );
    let messages = |eval: rego::PolicyEvaluation| -> Vec<String> {
        assert!(eval.errors.is_empty(), "{:?}", eval.errors);
        eval.findings.into_iter().map(|f| f.message).collect()
    };
    // Admission: the object under review is not in the cluster yet, and nothing is synced.
    for _ in 0..3 {
        let object = &inv.objects[0];
        let review = rego::review(object);
        assert_eq!(
            messages(set.evaluate_review(object, &review, &inv)),
            ["inventory holds 0 objects"]
        );
    }
    // A scan puts every scanned object in data.inventory; the prepared engine is not changed.
    assert_eq!(
        messages(set.evaluate(&inv)),
        ["inventory holds 2 objects", "inventory holds 2 objects"]
    );
    let object = &inv.objects[1];
    assert_eq!(
        messages(set.evaluate_review(object, &rego::review(object), &inv)),
        ["inventory holds 0 objects"]
    );
}

#[test]
fn a_policy_that_loops_is_stopped_and_reported() {
    let policy = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: palslow
spec:
  crd:
    spec:
      names:
        kind: PalSlow
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package palslow
        violation[{"msg": msg}] {
          input.review.kind.kind == "Pod"
          n := count([x | numbers.range(1, 100000)[_]; x := numbers.range(1, 1000)[_]])
          msg := sprintf("%v", [n])
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: PalSlow
metadata: {name: slow}
"#;
    let (set, errors) = rego::load_objects(&inventory_of(policy).objects);
    assert!(errors.is_empty(), "{errors:?}");
    let started = std::time::Instant::now();
    let eval = set.evaluate(&inventory_of(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
    ));
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert!(eval.findings.is_empty());
    assert_eq!(eval.errors.len(), 1, "{:?}", eval.errors);
    assert!(eval.errors[0]
        .message
        .contains("constraint PalSlow/slow on Pod/default/p"));
}

#[test]
fn a_template_whose_description_continues_at_the_key_column_loads() {
    // As published policy libraries write it: go-yaml accepts the quoted scalar's continuation
    // at the key's own column, so the API server does, and so must we.
    let policy = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: palnolatest
  annotations:
    description: "Requires container images to name a tag
    other than latest."
spec:
  crd:
    spec:
      names:
        kind: PalNoLatest
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package palnolatest
        violation[{"msg": msg}] {
          c := input.review.object.spec.containers[_]
          endswith(c.image, ":latest")
          msg := sprintf("container %v uses latest", [c.name])
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: PalNoLatest
metadata: {name: no-latest}
spec:
  match:
    kinds: [{apiGroups: [""], kinds: [Pod]}]
"#;
    let (set, errors) = rego::load_objects(&inventory_of(policy).objects);
    assert!(errors.is_empty(), "{errors:?}");
    let inv = inventory_of(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: app, image: 'nginx:latest'}\n",
    );
    let got: Vec<String> = found(&set, &inv).into_iter().map(|(_, _, m)| m).collect();
    assert_eq!(got, ["container app uses latest"]);
}
