//! ConstraintTemplates and constraints from Kubernetes objects.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use palisade_k8s::{LoadOptions, Object, SourceLocation};
use regorus::utils::limits::ExecutionTimerConfig;
use serde_json::Value;

use super::matching::Match;
use super::opa_compat;
use super::parameters::{self, UnknownFields};
use super::PolicyError;

/// The Gatekeeper target every template must provide Rego for.
pub const ADMISSION_TARGET: &str = "admission.k8s.gatekeeper.sh";
/// Wall-clock limit on one evaluation of one template (a policy that loops is an error, not a hang).
pub const EVAL_LIMIT: Duration = Duration::from_secs(2);
/// At most this many templates and this many constraints are loaded.
pub const MAX_TEMPLATES: usize = 1_000;
pub const MAX_CONSTRAINTS: usize = 10_000;

/// A compiled ConstraintTemplate.
#[derive(Clone)]
pub struct Template {
    /// The constraint kind it defines (`spec.crd.spec.names.kind`).
    pub kind: String,
    /// `data.<package>` of its main Rego module.
    pub package: String,
    pub location: SourceLocation,
    /// `metadata.gatekeeper.sh/title` (the Gatekeeper library's annotation), if set.
    pub title: Option<String>,
    /// `spec.crd.spec.validation.openAPIV3Schema`: what constraints' parameters must fit.
    pub parameters_schema: Option<Value>,
    pub unknown_fields: UnknownFields,
    /// `v0` or `v1`: the Rego syntax the template is written in.
    pub rego_version: &'static str,
    pub(crate) engine: regorus::Engine,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template")
            .field("kind", &self.kind)
            .field("package", &self.package)
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// A constraint: an instance of a template's kind.
#[derive(Debug, Clone)]
pub struct Constraint {
    pub kind: String,
    pub name: String,
    pub location: SourceLocation,
    pub spec_match: Match,
    pub parameters: Value,
    /// `deny`, `warn` or `dryrun` (`scoped`: the strongest of its scoped actions).
    pub enforcement_action: String,
}

/// Templates and constraints, ready to evaluate.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub templates: Vec<Template>,
    pub constraints: Vec<Constraint>,
}

/// Loads every `*.yaml`, `*.yml`, `*.json` under `paths` (files may hold several documents).
pub fn load_paths(paths: &[PathBuf]) -> (PolicySet, Vec<PolicyError>) {
    let loaded = palisade_k8s::load_paths(paths, &LoadOptions::default());
    let mut errors: Vec<PolicyError> = loaded
        .errors
        .into_iter()
        .map(|e| PolicyError {
            location: e.location,
            message: e.message,
        })
        .collect();
    let (set, more) = load_objects(&loaded.objects);
    errors.extend(more);
    (set, errors)
}

/// Builds templates (compiling each once) and constraints; objects that are neither are
/// reported as errors, as are constraints whose kind no template defines.
pub fn load_objects(objects: &[Object]) -> (PolicySet, Vec<PolicyError>) {
    let mut set = PolicySet::default();
    let mut errors = Vec::new();
    let err = |o: &Object, message: String| PolicyError {
        location: o.location.clone(),
        message,
    };
    for o in objects.iter().filter(|o| o.kind == "ConstraintTemplate") {
        if !matches!(
            o.api_version.as_str(),
            "templates.gatekeeper.sh/v1"
                | "templates.gatekeeper.sh/v1beta1"
                | "templates.gatekeeper.sh/v1alpha1"
        ) {
            errors.push(err(
                o,
                format!(
                    "ConstraintTemplate {}: unsupported apiVersion {:?} (templates.gatekeeper.sh/v1, v1beta1 or v1alpha1)",
                    o.name, o.api_version
                ),
            ));
            continue;
        }
        if set.templates.len() >= MAX_TEMPLATES {
            errors.push(err(o, format!("more than {MAX_TEMPLATES} templates")));
            break;
        }
        match template(o) {
            Ok(t) => {
                if set.templates.iter().any(|x| x.kind == t.kind) {
                    errors.push(err(
                        o,
                        format!(
                            "ConstraintTemplate {}: kind {} defined twice",
                            o.name, t.kind
                        ),
                    ));
                } else {
                    set.templates.push(t);
                }
            }
            Err(message) => {
                errors.push(err(o, format!("ConstraintTemplate {}: {message}", o.name)))
            }
        }
    }
    for o in objects.iter().filter(|o| o.kind != "ConstraintTemplate") {
        if !o.api_version.starts_with("constraints.gatekeeper.sh/") {
            errors.push(err(
                o,
                format!(
                    "{}: not a ConstraintTemplate (templates.gatekeeper.sh) or constraint (constraints.gatekeeper.sh)",
                    o.display_name()
                ),
            ));
            continue;
        }
        let Some(template) = set.templates.iter().find(|t| t.kind == o.kind) else {
            errors.push(err(
                o,
                format!(
                    "constraint {}/{}: no ConstraintTemplate defines kind {}",
                    o.kind, o.name, o.kind
                ),
            ));
            continue;
        };
        if set.constraints.len() >= MAX_CONSTRAINTS {
            errors.push(err(o, format!("more than {MAX_CONSTRAINTS} constraints")));
            break;
        }
        match constraint(o, template) {
            Ok(c) => set.constraints.push(c),
            Err(message) => errors.push(err(
                o,
                format!("constraint {}/{}: {message}", o.kind, o.name),
            )),
        }
    }
    (set, errors)
}

fn template(o: &Object) -> Result<Template, String> {
    let spec = o.value.get("spec").ok_or("no spec")?;
    let kind = spec
        .pointer("/crd/spec/names/kind")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .ok_or("no spec.crd.spec.names.kind")?
        .to_owned();
    if !kind.eq_ignore_ascii_case(&o.name) {
        return Err(format!(
            "metadata.name must be the lowercase of kind {kind} (Gatekeeper requires it)"
        ));
    }
    let targets = spec
        .get("targets")
        .and_then(Value::as_array)
        .ok_or("no spec.targets")?;
    let target = match targets.as_slice() {
        [t] => t,
        [] => return Err("spec.targets is empty".into()),
        _ => return Err("spec.targets must hold exactly one target".into()),
    };
    let name = target.get("target").and_then(Value::as_str).unwrap_or("");
    if name != ADMISSION_TARGET {
        return Err(format!(
            "target {name:?} is not supported (only {ADMISSION_TARGET})"
        ));
    }
    let source = rego_source(target)?;
    let mut engine = regorus::Engine::new();
    engine.set_rego_v0(source.version == "v0");
    engine.set_execution_timer_config(ExecutionTimerConfig {
        limit: EVAL_LIMIT,
        check_interval: NonZeroU32::MIN,
    });
    add_deprecated_builtins(&mut engine)?;
    let file = &o.location.file;
    check_nesting(source.rego).map_err(|e| format!("rego: {e}"))?;
    let lib_texts: Vec<&str> = source
        .libs
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let functions = opa_compat::defined_functions(
        std::iter::once(source.rego).chain(lib_texts.iter().copied()),
    );
    let package = engine
        .add_policy(
            format!("{file}#{}/rego", o.name),
            opa_compat::hoist_negated_call_arguments(source.rego, &functions),
        )
        .map_err(|e| format!("rego: {e}"))?;
    if package.starts_with("data.lib.") || package == "data.lib" {
        return Err("the main rego module must not be in package lib (that is for libs)".into());
    }
    if let Some(libs) = source.libs {
        let libs = libs.as_array().ok_or("libs must be a list")?;
        for (i, lib) in libs.iter().enumerate() {
            let text = lib
                .as_str()
                .ok_or_else(|| format!("libs[{i}] must be a string"))?;
            check_nesting(text).map_err(|e| format!("libs[{i}]: {e}"))?;
            let lib_package = engine
                .add_policy(
                    format!("{file}#{}/libs[{i}]", o.name),
                    opa_compat::hoist_negated_call_arguments(text, &functions),
                )
                .map_err(|e| format!("libs[{i}]: {e}"))?;
            if lib_package != "data.lib" && !lib_package.starts_with("data.lib.") {
                return Err(format!(
                    "libs[{i}]: package {} must start with lib (Gatekeeper requires it)",
                    lib_package.trim_start_matches("data.")
                ));
            }
        }
    }
    let parameters_schema = spec
        .pointer("/crd/spec/validation/openAPIV3Schema")
        .cloned();
    if let Some(schema) = &parameters_schema {
        parameters::check_schema(schema)?;
    }
    // v1 templates must have structural schemas, and the API server prunes what they do not
    // name; Gatekeeper marks the schemas of older versions as legacy, which keeps everything.
    let unknown_fields = if o.api_version == "templates.gatekeeper.sh/v1" {
        UnknownFields::Prune
    } else {
        UnknownFields::Preserve
    };
    let title = o
        .pointer("/metadata/annotations/metadata.gatekeeper.sh~1title")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .map(|t| t.trim().to_owned());
    // Compile now (once): semantic errors belong to the template, not to each evaluation. The
    // engine is prepared with an empty `data.inventory`, so an admission review that brings no
    // inventory evaluates on a clone without preparing again (which costs far more than the
    // evaluation itself).
    engine
        .add_data(super::empty_inventory_data())
        .map_err(|e| format!("data.inventory: {e}"))?;
    engine.set_input(regorus::Value::new_object());
    engine
        .eval_rule(format!("{package}.violation"))
        .map_err(|e| format!("rego: {e}"))?;
    Ok(Template {
        kind,
        package,
        location: o.location.clone(),
        title,
        parameters_schema,
        unknown_fields,
        rego_version: source.version,
        engine,
    })
}

/// The Rego of a template's target: the legacy `rego` / `libs` fields, which take precedence
/// as in Gatekeeper, else the `code` entry whose engine is `Rego` (`source.rego`,
/// `source.libs`, `source.version`: `v0` unless `v1`).
struct RegoSource<'a> {
    rego: &'a str,
    libs: Option<&'a Value>,
    version: &'static str,
}

fn rego_source(target: &Value) -> Result<RegoSource<'_>, String> {
    if let Some(rego) = target.get("rego") {
        let rego = rego
            .as_str()
            .ok_or("spec.targets[0].rego must be a string")?;
        return Ok(RegoSource {
            rego,
            libs: target.get("libs"),
            version: "v0",
        });
    }
    let code = target
        .get("code")
        .ok_or("spec.targets[0] has neither rego nor code")?
        .as_array()
        .ok_or("spec.targets[0].code must be a list")?;
    let engines: Vec<&str> = code
        .iter()
        .map(|c| c.get("engine").and_then(Value::as_str).unwrap_or(""))
        .collect();
    let Some(entry) = code
        .iter()
        .find(|c| c.get("engine").and_then(Value::as_str) == Some("Rego"))
    else {
        return Err(format!(
            "spec.targets[0].code has no Rego engine (found {engines:?}; only Rego policies are \
             evaluated, not K8sNativeValidation/CEL)"
        ));
    };
    let source = entry
        .get("source")
        .ok_or("code[engine=Rego] has no source")?;
    let rego = source
        .get("rego")
        .and_then(Value::as_str)
        .ok_or("code[engine=Rego].source.rego is missing")?;
    let version = match source.get("version").map(|v| v.as_str()) {
        None | Some(Some("v0")) => "v0",
        Some(Some("v1")) => "v1",
        Some(other) => {
            return Err(format!(
                "code[engine=Rego].source.version {:?} is not v0 or v1",
                other.unwrap_or("(not a string)")
            ))
        }
    };
    Ok(RegoSource {
        rego,
        libs: source.get("libs"),
        version,
    })
}

/// Deepest bracket nesting accepted in Rego source: regorus's parser takes time exponential in
/// the depth of unclosed brackets (about 0.1 s at 12 levels, 48 s at 24), found by fuzzing.
pub const MAX_REGO_NESTING: usize = 12;

/// Refuses Rego whose `(`, `[`, `{` nest deeper than [`MAX_REGO_NESTING`] (strings and
/// comments skipped).
fn check_nesting(rego: &str) -> Result<(), String> {
    let mut depth = 0usize;
    let mut line = 1;
    let mut chars = rego.chars();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => {
                            if c == '\n' {
                                line += 1;
                            }
                            break;
                        }
                        _ => {}
                    }
                }
            }
            '`' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                    }
                    if c == '`' {
                        break;
                    }
                }
            }
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_REGO_NESTING {
                    return Err(format!(
                        "line {line}: brackets nest deeper than {MAX_REGO_NESTING} levels"
                    ));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// OPA built-ins that Gatekeeper templates in the wild still call but regorus does not provide.
fn add_deprecated_builtins(engine: &mut regorus::Engine) -> Result<(), String> {
    // `re_match(pattern, value)`: the deprecated name of `regex.match`.
    engine
        .add_extension(
            "re_match".into(),
            2,
            Box::new(|args: Vec<regorus::Value>| {
                let text = |i: usize| args.get(i).and_then(|v| v.as_string().ok());
                let (Some(pattern), Some(value)) = (text(0), text(1)) else {
                    return Ok(regorus::Value::Undefined);
                };
                Ok(match regex::Regex::new(pattern) {
                    Ok(re) => regorus::Value::from(re.is_match(value)),
                    // OPA: an invalid pattern is an error, which leaves the expression undefined.
                    Err(_) => regorus::Value::Undefined,
                })
            }),
        )
        .map_err(|e| format!("cannot register re_match: {e}"))
}

fn constraint(o: &Object, template: &Template) -> Result<Constraint, String> {
    if o.name.is_empty() {
        return Err("no metadata.name".into());
    }
    let spec = o.value.get("spec");
    let spec_match = match spec.and_then(|s| s.get("match")) {
        Some(m) => Match::parse(m)?,
        None => Match::default(),
    };
    let parameters = spec
        .and_then(|s| s.get("parameters"))
        .cloned()
        .unwrap_or_else(|| Value::Object(Default::default()));
    let parameters = match &template.parameters_schema {
        Some(schema) => {
            parameters::admit(schema, &parameters, template.unknown_fields).map_err(|errors| {
                format!(
                    "parameters do not fit the template's schema: {}",
                    errors.join("; ")
                )
            })?
        }
        None => parameters,
    };
    let action = spec
        .and_then(|s| s.get("enforcementAction"))
        .map(|a| a.as_str().ok_or("spec.enforcementAction must be a string"))
        .transpose()?
        .unwrap_or("deny");
    let enforcement_action = match action {
        "deny" | "warn" | "dryrun" => action.to_owned(),
        "scoped" => scoped_action(spec.and_then(|s| s.get("scopedEnforcementActions")))?,
        other => {
            return Err(format!(
                "spec.enforcementAction {other:?} is not deny, warn, dryrun or scoped"
            ))
        }
    };
    Ok(Constraint {
        kind: o.kind.clone(),
        name: o.name.clone(),
        location: o.location.clone(),
        spec_match,
        parameters,
        enforcement_action,
    })
}

/// The strongest action of `scopedEnforcementActions[].action` (`deny` > `warn` > `dryrun`).
fn scoped_action(list: Option<&Value>) -> Result<String, String> {
    let list = list
        .and_then(Value::as_array)
        .ok_or("enforcementAction scoped needs spec.scopedEnforcementActions")?;
    let rank = |a: &str| match a {
        "deny" => 3,
        "warn" => 2,
        "dryrun" => 1,
        _ => 0,
    };
    let mut best = "";
    for (i, item) in list.iter().enumerate() {
        let a = item.get("action").and_then(Value::as_str).unwrap_or("");
        if rank(a) == 0 {
            return Err(format!(
                "scopedEnforcementActions[{i}].action {a:?} is not deny, warn or dryrun"
            ));
        }
        if rank(a) > rank(best) {
            best = a;
        }
    }
    if best.is_empty() {
        return Err("spec.scopedEnforcementActions is empty".into());
    }
    Ok(best.to_owned())
}
