//! Runs checks over an inventory and turns violations into findings.

use palisade_k8s::{pod_template, Inventory, Object, SourceLocation};
use palisade_model::Severity;
use serde::Serialize;

use crate::check::{Category, Check, CheckMeta, Context, Settings, Violation};

/// The object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    pub fn of(object: &Object) -> Self {
        Self {
            api_version: object.api_version.clone(),
            kind: object.kind.clone(),
            namespace: object.namespace_or_default().map(str::to_owned),
            name: object.name.clone(),
        }
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

/// One misconfiguration of one object.
#[derive(Debug, Clone, Serialize)]
pub struct PostureFinding {
    pub check_id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub category: Category,
    pub object: ObjectRef,
    pub message: String,
    /// File and line of the offending field (or of the object when the field is absent).
    pub location: SourceLocation,
    /// JSON pointer of the offending field.
    pub pointer: String,
    pub remediation: &'static str,
    /// Where the patch goes (JSON pointer) and the YAML to merge there.
    pub patch_at: String,
    pub patch: &'static str,
    /// What a Rego policy said beyond its message (a violation's `details`); none for the
    /// built-in checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

/// A workload whose template could not be read with the Kubernetes types.
#[derive(Debug, Clone, Serialize)]
pub struct EvalError {
    pub location: SourceLocation,
    pub message: String,
}

/// The result of one evaluation.
#[derive(Debug, Default, Serialize)]
pub struct Evaluation {
    pub findings: Vec<PostureFinding>,
    pub errors: Vec<EvalError>,
    /// Objects evaluated (all of them; kinds no check knows pass through).
    pub objects: usize,
    /// Pod templates evaluated (after leaving owned ones to their owners).
    pub templates: usize,
}

/// Runs `checks` over every object of `inventory`.
pub fn evaluate(inventory: &Inventory, checks: &[&dyn Check], settings: &Settings) -> Evaluation {
    let ctx = Context {
        inventory,
        settings,
    };
    let mut eval = Evaluation {
        objects: inventory.objects.len(),
        ..Evaluation::default()
    };
    let mut violations = Vec::new();
    for object in &inventory.objects {
        if !inventory.template_owned_elsewhere(object) {
            match pod_template(object) {
                Ok(Some(template)) => {
                    eval.templates += 1;
                    for check in checks {
                        check.check_template(&template, &ctx, &mut violations);
                        push(&mut eval.findings, check.meta(), object, &mut violations);
                    }
                }
                Ok(None) => {}
                Err(e) => eval.errors.push(EvalError {
                    location: object.location_of(e.pointer),
                    message: e.to_string(),
                }),
            }
        }
        for check in checks {
            check.check_object(object, &ctx, &mut violations);
            push(&mut eval.findings, check.meta(), object, &mut violations);
        }
    }
    eval.findings.sort_by(|a, b| {
        (&a.location.file, a.location.line, a.check_id).cmp(&(
            &b.location.file,
            b.location.line,
            b.check_id,
        ))
    });
    eval
}

fn push(
    out: &mut Vec<PostureFinding>,
    meta: &'static CheckMeta,
    object: &Object,
    violations: &mut Vec<Violation>,
) {
    for v in violations.drain(..) {
        let patch_at = v.patch_at.unwrap_or_else(|| parent(&v.pointer).to_owned());
        out.push(PostureFinding {
            check_id: meta.id,
            title: meta.title,
            severity: meta.severity,
            category: meta.category,
            object: ObjectRef::of(object),
            location: object.location_of(&v.pointer),
            message: v.message,
            pointer: v.pointer,
            remediation: meta.remediation,
            patch_at,
            patch: meta.patch,
            details: None,
        });
    }
}

fn parent(pointer: &str) -> &str {
    pointer.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}
