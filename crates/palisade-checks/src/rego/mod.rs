//! Custom policies: Gatekeeper `ConstraintTemplate`s (Rego) and their constraints, run over a
//! posture inventory with `regorus`, so policies written for Gatekeeper run unchanged.
//!
//! - [`load`]: templates (`templates.gatekeeper.sh/v1`, `v1beta1`, `v1alpha1`; legacy `rego` or
//!   `code` engines with Rego v0 or v1) and constraints
//!   (`constraints.gatekeeper.sh/*`) from Kubernetes objects; each template compiled once.
//! - [`parameters`]: constraint parameters checked against (and pruned by) the template's schema.
//! - [`opa_compat`]: source rewrites where regorus and OPA disagree (OPA is the contract).
//! - [`matching`]: Gatekeeper's `spec.match` semantics (kinds, namespaces, excludedNamespaces,
//!   labelSelector, namespaceSelector, scope, name).
//! - [`evaluate`](PolicySet::evaluate): for every object a constraint matches, the input
//!   Gatekeeper gives (`input.review`, `input.parameters`, `data.inventory`), query
//!   `data.<package>.violation` and turn each `{msg, details}` into a [`PostureFinding`].
//!
//! Severity follows the constraint's `enforcementAction`: `deny` (the default) → high, `warn` →
//! medium, `dryrun` → low; `scoped` takes the strongest action it lists.

pub mod load;
pub mod matching;
pub mod opa_compat;
pub mod parameters;
pub mod verify;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use palisade_k8s::{Inventory, Object, SourceLocation};
use palisade_model::Severity;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::check::Category;
use crate::engine::{ObjectRef, PostureFinding};

pub use load::{load_objects, load_paths, Constraint, PolicySet, Template};

/// A template, constraint or evaluation that failed, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{location}: {message}")]
pub struct PolicyError {
    pub location: SourceLocation,
    pub message: String,
}

/// What the policies found.
#[derive(Debug, Default, Serialize)]
pub struct PolicyEvaluation {
    pub findings: Vec<PostureFinding>,
    pub errors: Vec<PolicyError>,
    /// (constraint, object) pairs evaluated.
    pub reviews: usize,
}

/// Remediation text shared by every Rego finding.
const REMEDIATION: &str = "Change the object so the Gatekeeper constraint's policy allows it, \
or narrow the constraint's spec.match; see the constraint and its ConstraintTemplate.";

impl PolicySet {
    /// Runs every constraint over every object of `inventory` it matches; every scanned object
    /// is in `data.inventory`, as if Gatekeeper had synced them all.
    pub fn evaluate(&self, inventory: &Inventory) -> PolicyEvaluation {
        let data = inventory_data(inventory);
        self.run(
            inventory,
            &inventory.objects,
            |o| to_rego(&review(o)),
            Some(&data),
        )
    }

    /// Runs every constraint matching `object` with `review` as `input.review` (an admission
    /// request as the API server sent it, with its operation, userInfo and oldObject);
    /// `inventory` is what `namespaceSelector` reads. `data.inventory` is empty, as in a
    /// Gatekeeper without a sync configuration: the object under review is not yet in the
    /// cluster. Each template's engine was prepared once at load, so a review only evaluates.
    pub fn evaluate_review(
        &self,
        object: &Object,
        review: &Value,
        inventory: &Inventory,
    ) -> PolicyEvaluation {
        self.run(
            inventory,
            std::slice::from_ref(object),
            |_| to_rego(review),
            None,
        )
    }

    /// As [`PolicySet::evaluate_review`], with `input.review` already converted
    /// ([`to_rego`]): a caller that runs several policy sets over one request converts it once.
    pub fn evaluate_converted_review(
        &self,
        object: &Object,
        review: &RegoValue,
        inventory: &Inventory,
    ) -> PolicyEvaluation {
        self.run(
            inventory,
            std::slice::from_ref(object),
            |_| Ok(review.clone()),
            None,
        )
    }

    /// As [`PolicySet::evaluate_review`], with `data` as `data.inventory` (what Gatekeeper
    /// would have synced from the cluster, or a gator case's `inventory`). The engines are
    /// prepared again for that data, so this is for tests and audits, not the webhook's path.
    pub fn evaluate_review_with_data(
        &self,
        object: &Object,
        review: &Value,
        inventory: &Inventory,
        data: &Inventory,
    ) -> PolicyEvaluation {
        let data = inventory_data(data);
        self.run(
            inventory,
            std::slice::from_ref(object),
            |_| to_rego(review),
            Some(&data),
        )
    }

    /// `data`: a `data.inventory` to merge into each template's prepared engine (which then
    /// has to be prepared again); `None` keeps the empty one the engine was prepared with.
    fn run(
        &self,
        inventory: &Inventory,
        objects: &[Object],
        review_of: impl Fn(&Object) -> Result<RegoValue, String>,
        data: Option<&regorus::Value>,
    ) -> PolicyEvaluation {
        let mut out = PolicyEvaluation::default();
        if self.constraints.is_empty() {
            return out;
        }
        // `input.review` of each object, converted to Rego values once for every constraint
        // (the conversion costs more than most evaluations).
        let mut reviews: Vec<Option<Result<regorus::Value, String>>> = vec![None; objects.len()];
        for template in &self.templates {
            let constraints: Vec<&Constraint> = self
                .constraints
                .iter()
                .filter(|c| c.kind == template.kind)
                .collect();
            if constraints.is_empty() {
                continue;
            }
            let mut engine = template.engine.clone();
            if let Some(data) = data {
                if let Err(e) = engine.add_data(data.clone()) {
                    out.errors.push(PolicyError {
                        location: template.location.clone(),
                        message: format!("cannot load data.inventory: {e}"),
                    });
                    continue;
                }
            }
            let query = format!("{}.violation", template.package);
            for constraint in constraints {
                let check_id = intern(format!("{}/{}", constraint.kind, constraint.name));
                let title = intern(match &template.title {
                    Some(t) => format!(
                        "{t} (Gatekeeper constraint {}/{})",
                        constraint.kind, constraint.name
                    ),
                    None => format!(
                        "Gatekeeper constraint {}/{}",
                        constraint.kind, constraint.name
                    ),
                });
                let parameters =
                    match serde_json::from_value::<regorus::Value>(constraint.parameters.clone()) {
                        Ok(v) => v,
                        Err(e) => {
                            out.errors.push(PolicyError {
                                location: constraint.location.clone(),
                                message: format!("parameters: {e}"),
                            });
                            continue;
                        }
                    };
                for (index, object) in objects.iter().enumerate() {
                    if !matching::matches(&constraint.spec_match, object, inventory) {
                        continue;
                    }
                    out.reviews += 1;
                    let review = reviews[index].get_or_insert_with(|| review_of(object));
                    let review = match review {
                        Ok(v) => v.clone(),
                        Err(e) => {
                            out.errors.push(eval_error(constraint, object, e));
                            continue;
                        }
                    };
                    let mut input = regorus::Value::new_object();
                    if let Ok(fields) = input.as_object_mut() {
                        fields.insert(regorus::Value::from("review"), review);
                        fields.insert(regorus::Value::from("parameters"), parameters.clone());
                    }
                    engine.set_input(input);
                    let result = match engine.eval_rule(query.clone()) {
                        Ok(v) => v,
                        Err(e) => {
                            out.errors
                                .push(eval_error(constraint, object, &e.to_string()));
                            continue;
                        }
                    };
                    for violation in violations(&result) {
                        out.findings.push(finding(
                            constraint,
                            object,
                            violation.as_ref(),
                            check_id,
                            title,
                        ));
                    }
                }
            }
        }
        out.findings.sort_by(|a, b| {
            (&a.location.file, a.location.line, a.check_id, &a.message).cmp(&(
                &b.location.file,
                b.location.line,
                b.check_id,
                &b.message,
            ))
        });
        out
    }
}

fn eval_error(constraint: &Constraint, object: &Object, message: &str) -> PolicyError {
    PolicyError {
        location: object.location.clone(),
        message: format!(
            "constraint {}/{} on {}: {message}",
            constraint.kind,
            constraint.name,
            object.display_name()
        ),
    }
}

/// The elements of a `violation` set (undefined or empty: none).
fn violations(result: &regorus::Value) -> Vec<Option<Value>> {
    if matches!(result, regorus::Value::Undefined) {
        return Vec::new();
    }
    match serde_json::to_value(result) {
        Ok(Value::Array(items)) => items.into_iter().map(Some).collect(),
        Ok(Value::Null) => Vec::new(),
        // `violation` defined as something other than a set: report it once, as is.
        Ok(other) => vec![Some(other)],
        Err(_) => vec![None],
    }
}

/// Findings carry `&'static str` ids and titles: each distinct constraint name is stored once
/// for the rest of the process (a scan loads a bounded set of constraints).
fn intern(s: String) -> &'static str {
    static INTERNED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut set = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = set.get(s.as_str()) {
        return found;
    }
    let leaked: &'static str = Box::leak(s.into_boxed_str());
    set.insert(leaked);
    leaked
}

fn finding(
    constraint: &Constraint,
    object: &Object,
    violation: Option<&Value>,
    check_id: &'static str,
    title: &'static str,
) -> PostureFinding {
    let msg = violation
        .and_then(|v| v.get("msg"))
        .map(|m| match m {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_else(|| "violation (no msg)".to_owned());
    PostureFinding {
        check_id,
        title,
        severity: constraint.severity(),
        category: Category::Admission,
        object: ObjectRef::of(object),
        message: msg,
        location: object.location.clone(),
        pointer: String::new(),
        remediation: REMEDIATION,
        patch_at: String::new(),
        patch: "",
        details: violation
            .and_then(|v| v.get("details"))
            .filter(|d| !d.is_null() && d.as_object().is_none_or(|o| !o.is_empty()))
            .cloned(),
    }
}

/// `input.review` as Gatekeeper builds it for an object being created. A namespaced object
/// written without a namespace is in `default` (as kubectl applies it).
pub fn review(object: &Object) -> Value {
    let (group, version) = match object.api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", object.api_version.as_str()),
    };
    let namespace = object.namespace_or_default().unwrap_or("");
    let mut value = object.value.clone();
    if object.is_namespaced() {
        if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.entry("namespace")
                .or_insert_with(|| Value::String(namespace.to_owned()));
        }
    }
    json!({
        "kind": {"group": group, "version": version, "kind": object.kind},
        "resource": {"group": group, "version": version, "resource": ""},
        "name": object.name,
        "namespace": namespace,
        "operation": "CREATE",
        "uid": "",
        "userInfo": {"username": "palisade-posture-scan", "groups": ["system:authenticated"]},
        "object": value,
        "oldObject": Value::Null,
        "dryRun": false,
    })
}

/// `data.inventory` as Gatekeeper's sync provides it: `cluster[groupVersion][kind][name]` and
/// `namespace[ns][groupVersion][kind][name]`, here holding every scanned object.
pub fn inventory_data(inventory: &Inventory) -> regorus::Value {
    /// groupVersion → kind → name → object.
    type ByVersion<'a> = BTreeMap<&'a str, BTreeMap<&'a str, BTreeMap<&'a str, &'a Value>>>;
    let mut cluster: ByVersion = BTreeMap::new();
    let mut namespaced: BTreeMap<&str, ByVersion> = BTreeMap::new();
    for o in &inventory.objects {
        match o.namespace_or_default() {
            Some(ns) => {
                namespaced
                    .entry(ns)
                    .or_default()
                    .entry(&o.api_version)
                    .or_default()
                    .entry(&o.kind)
                    .or_default()
                    .insert(&o.name, &o.value);
            }
            None => {
                cluster
                    .entry(&o.api_version)
                    .or_default()
                    .entry(&o.kind)
                    .or_default()
                    .insert(&o.name, &o.value);
            }
        }
    }
    let data = json!({"inventory": {"cluster": cluster, "namespace": namespaced}});
    serde_json::from_value(data).unwrap_or_else(|_| regorus::Value::new_object())
}

/// A value as the Rego engine holds it (cheap to clone: shared, copied on write).
pub type RegoValue = regorus::Value;

/// `value` as a Rego value, e.g. an `input.review` to pass to
/// [`PolicySet::evaluate_converted_review`].
pub fn to_rego(value: &Value) -> Result<RegoValue, String> {
    RegoValue::deserialize(value).map_err(|e| e.to_string())
}

/// The `data.inventory` of an empty cluster, which every template's engine is prepared with.
pub(crate) fn empty_inventory_data() -> regorus::Value {
    inventory_data(&Inventory::default())
}

impl Constraint {
    pub fn severity(&self) -> Severity {
        match self.enforcement_action.as_str() {
            "warn" => Severity::Medium,
            "dryrun" => Severity::Low,
            _ => Severity::High,
        }
    }
}
