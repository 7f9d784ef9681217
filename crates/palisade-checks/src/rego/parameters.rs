//! Constraint `spec.parameters` checked against the template's
//! `spec.crd.spec.validation.openAPIV3Schema`, with the Kubernetes API server's semantics for
//! the CRD Gatekeeper generates from it: a constraint whose parameters do not fit is refused
//! (as `kubectl apply` would be), and fields the schema does not name are pruned before the
//! policy sees them (structural schemas of `templates.gatekeeper.sh/v1`; `v1beta1` and
//! `v1alpha1` templates keep unknown fields, as Gatekeeper's legacy schema does).
//!
//! Supported keywords: `type`, `properties`, `additionalProperties`, `items`, `required`,
//! `enum`, `nullable`, `minimum`/`maximum` (with `exclusiveMinimum`/`exclusiveMaximum` as
//! booleans, OpenAPI v3.0), `minLength`/`maxLength`, `minItems`/`maxItems`, `pattern`,
//! `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string`. Other keywords
//! (`format`, `description`, `default`...) are not enforced.

use serde_json::{Map, Value};

/// Schemas nested deeper than this are refused (the loader bounds YAML nesting already; this
/// keeps the recursion here bounded on its own).
const MAX_DEPTH: usize = 64;
/// Largest compiled `pattern` accepted (bytes of the regex program).
const MAX_PATTERN_SIZE: usize = 1 << 20;

/// How unknown fields are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownFields {
    /// Dropped, as for a structural schema (`templates.gatekeeper.sh/v1`).
    Prune,
    /// Kept (legacy `v1beta1` / `v1alpha1` templates).
    Preserve,
}

/// Checks `value` against `schema`; returns the value as the API server would store it
/// (unknown fields pruned, `null`s of non-nullable fields dropped), or every problem found,
/// each prefixed with its path under `spec.parameters`.
pub fn admit(schema: &Value, value: &Value, unknown: UnknownFields) -> Result<Value, Vec<String>> {
    let mut errors = Vec::new();
    let admitted = walk(
        schema,
        value,
        "spec.parameters",
        unknown == UnknownFields::Preserve,
        0,
        &mut errors,
    );
    if errors.is_empty() {
        Ok(admitted.unwrap_or_else(|| Value::Object(Map::new())))
    } else {
        Err(errors)
    }
}

/// Checks that a schema can be used at all (a `pattern` that does not compile is the
/// template's error, not each constraint's).
pub fn check_schema(schema: &Value) -> Result<(), String> {
    check_schema_at(schema, "openAPIV3Schema", 0)
}

fn check_schema_at(schema: &Value, path: &str, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "{path}: schema nested deeper than {MAX_DEPTH} levels"
        ));
    }
    let Some(obj) = schema.as_object() else {
        return Err(format!("{path}: a schema must be an object"));
    };
    if let Some(p) = obj.get("pattern") {
        let p = p
            .as_str()
            .ok_or_else(|| format!("{path}.pattern must be a string"))?;
        compile(p).map_err(|e| format!("{path}.pattern: {e}"))?;
    }
    if let Some(t) = obj.get("type") {
        let t = t
            .as_str()
            .ok_or_else(|| format!("{path}.type must be a string"))?;
        if !matches!(
            t,
            "object" | "array" | "string" | "integer" | "number" | "boolean"
        ) {
            return Err(format!("{path}.type: unknown type {t:?}"));
        }
    }
    if let Some(props) = obj.get("properties") {
        let props = props
            .as_object()
            .ok_or_else(|| format!("{path}.properties must be an object"))?;
        for (name, sub) in props {
            check_schema_at(sub, &format!("{path}.properties.{name}"), depth + 1)?;
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub) = obj.get(key).filter(|s| s.is_object()) {
            check_schema_at(sub, &format!("{path}.{key}"), depth + 1)?;
        }
    }
    Ok(())
}

fn compile(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(MAX_PATTERN_SIZE)
        .build()
        .map_err(|e| e.to_string())
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn flag(schema: &Map<String, Value>, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Returns the admitted value, or `None` when it is pruned (a `null` the schema does not allow).
fn walk(
    schema: &Value,
    value: &Value,
    path: &str,
    preserve: bool,
    depth: usize,
    errors: &mut Vec<String>,
) -> Option<Value> {
    if depth > MAX_DEPTH {
        errors.push(format!("{path}: nested deeper than {MAX_DEPTH} levels"));
        return None;
    }
    let Some(schema) = schema.as_object() else {
        return Some(value.clone());
    };
    if value.is_null() {
        return flag(schema, "nullable").then_some(Value::Null);
    }
    let actual = type_name(value);
    if flag(schema, "x-kubernetes-int-or-string") {
        if !matches!(actual, "integer" | "string") {
            errors.push(format!(
                "{path}: must be an integer or a string, got {actual}"
            ));
            return None;
        }
    } else if let Some(expected) = schema.get("type").and_then(Value::as_str) {
        let fits = expected == actual || (expected == "number" && actual == "integer");
        if !fits {
            errors.push(format!("{path}: must be of type {expected}, got {actual}"));
            return None;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
            errors.push(format!(
                "{path}: {value} is not one of the allowed values {}",
                list.join(", ")
            ));
        }
    }
    bounds(schema, value, path, errors);
    let preserve = preserve || flag(schema, "x-kubernetes-preserve-unknown-fields");
    match value {
        Value::Object(fields) => Some(object(schema, fields, path, preserve, depth, errors)),
        Value::Array(items) => {
            let item_schema = schema.get("items");
            let admitted = items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match item_schema {
                    Some(s) => walk(
                        s,
                        item,
                        &format!("{path}[{i}]"),
                        preserve,
                        depth + 1,
                        errors,
                    ),
                    None => Some(item.clone()),
                })
                .collect();
            Some(Value::Array(admitted))
        }
        _ => Some(value.clone()),
    }
}

fn object(
    schema: &Map<String, Value>,
    fields: &Map<String, Value>,
    path: &str,
    preserve: bool,
    depth: usize,
    errors: &mut Vec<String>,
) -> Value {
    for name in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !fields.contains_key(name) {
            errors.push(format!("{path}.{name}: Required value"));
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    let additional = schema.get("additionalProperties");
    let mut out = Map::new();
    for (name, field) in fields {
        let sub_path = format!("{path}.{name}");
        let sub_schema = properties
            .and_then(|p| p.get(name))
            .or(additional.filter(|a| a.is_object()));
        let admitted = match sub_schema {
            Some(s) => walk(s, field, &sub_path, preserve, depth + 1, errors),
            // No schema says anything about this field: a schema without `properties` (or with
            // `additionalProperties: true`) says nothing at all, and keeps it.
            None if preserve
                || properties.is_none()
                || additional.and_then(Value::as_bool) == Some(true) =>
            {
                Some(field.clone())
            }
            None => None,
        };
        if let Some(v) = admitted {
            out.insert(name.clone(), v);
        }
    }
    Value::Object(out)
}

fn bounds(schema: &Map<String, Value>, value: &Value, path: &str, errors: &mut Vec<String>) {
    let num = |k: &str| schema.get(k).and_then(Value::as_f64);
    let count = |k: &str| schema.get(k).and_then(Value::as_u64);
    match value {
        Value::Number(n) => {
            let Some(x) = n.as_f64() else { return };
            if let Some(min) = num("minimum") {
                let exclusive = flag(schema, "exclusiveMinimum");
                if x < min || (exclusive && x == min) {
                    let op = if exclusive { ">" } else { ">=" };
                    errors.push(format!("{path}: should be {op} {min}, got {n}"));
                }
            }
            if let Some(max) = num("maximum") {
                let exclusive = flag(schema, "exclusiveMaximum");
                if x > max || (exclusive && x == max) {
                    let op = if exclusive { "<" } else { "<=" };
                    errors.push(format!("{path}: should be {op} {max}, got {n}"));
                }
            }
        }
        Value::String(s) => {
            let len = s.chars().count() as u64;
            if count("minLength").is_some_and(|m| len < m) {
                errors.push(format!(
                    "{path}: shorter than minLength {}",
                    count("minLength").unwrap_or(0)
                ));
            }
            if count("maxLength").is_some_and(|m| len > m) {
                errors.push(format!(
                    "{path}: longer than maxLength {}",
                    count("maxLength").unwrap_or(0)
                ));
            }
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
                match compile(pattern) {
                    Ok(re) if !re.is_match(s) => {
                        errors.push(format!("{path}: {s:?} does not match {pattern:?}"))
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(format!("{path}: pattern {pattern:?}: {e}")),
                }
            }
        }
        Value::Array(items) => {
            let n = items.len() as u64;
            if count("minItems").is_some_and(|m| n < m) {
                errors.push(format!(
                    "{path}: fewer than minItems {} items",
                    count("minItems").unwrap_or(0)
                ));
            }
            if count("maxItems").is_some_and(|m| n > m) {
                errors.push(format!(
                    "{path}: more than maxItems {} items",
                    count("maxItems").unwrap_or(0)
                ));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels_schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "labels": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                "mode": {"type": "string", "enum": ["strict", "lenient"]},
                "limit": {"type": "integer", "minimum": 0, "maximum": 10},
                "port": {"x-kubernetes-int-or-string": true},
                "prefix": {"type": "string", "pattern": "^[a-z]+/$"},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "byName": {"type": "object", "additionalProperties": {"type": "boolean"}}
            },
            "required": ["labels"]
        })
    }

    #[test]
    fn fitting_parameters_are_admitted_and_unknown_fields_pruned() {
        let params = json!({
            "labels": ["owner"], "mode": "strict", "limit": 3, "port": "http",
            "prefix": "team/", "extra": {"anything": [1, 2]}, "byName": {"a": true},
            "typo": "dropped", "nothingHere": null
        });
        let admitted = admit(&labels_schema(), &params, UnknownFields::Prune).unwrap();
        assert_eq!(admitted.get("typo"), None);
        assert_eq!(admitted.get("nothingHere"), None);
        assert_eq!(admitted["extra"]["anything"], json!([1, 2]));
        assert_eq!(admitted["byName"]["a"], true);
        assert_eq!(admitted["labels"], json!(["owner"]));
        let kept = admit(&labels_schema(), &params, UnknownFields::Preserve).unwrap();
        assert_eq!(kept["typo"], "dropped");
    }

    #[test]
    fn every_misfit_is_named_with_its_path() {
        let params = json!({
            "labels": ["", 7], "mode": "loose", "limit": 11, "port": true,
            "prefix": "Team", "byName": {"a": "yes"}
        });
        let errors = admit(&labels_schema(), &params, UnknownFields::Prune).unwrap_err();
        let text = errors.join("\n");
        for expected in [
            "spec.parameters.labels[0]: shorter than minLength 1",
            "spec.parameters.labels[1]: must be of type string, got integer",
            "spec.parameters.mode: \"loose\" is not one of the allowed values",
            "spec.parameters.limit: should be <= 10, got 11",
            "spec.parameters.port: must be an integer or a string, got boolean",
            "spec.parameters.prefix: \"Team\" does not match",
            "spec.parameters.byName.a: must be of type boolean, got string",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        let missing = admit(&labels_schema(), &json!({}), UnknownFields::Prune).unwrap_err();
        assert_eq!(
            missing,
            vec!["spec.parameters.labels: Required value".to_owned()]
        );
    }

    #[test]
    fn numbers_follow_openapi_types() {
        let schema = json!({"type": "object", "properties": {
            "n": {"type": "number", "minimum": 1, "exclusiveMinimum": true},
            "i": {"type": "integer"}
        }});
        assert!(admit(&schema, &json!({"n": 2, "i": 3}), UnknownFields::Prune).is_ok());
        assert!(admit(&schema, &json!({"n": 2.5}), UnknownFields::Prune).is_ok());
        assert!(admit(&schema, &json!({"n": 1}), UnknownFields::Prune).is_err());
        assert!(admit(&schema, &json!({"i": 2.5}), UnknownFields::Prune).is_err());
    }

    #[test]
    fn a_schema_without_properties_keeps_everything() {
        let schema = json!({"type": "object"});
        let admitted = admit(&schema, &json!({"a": 1}), UnknownFields::Prune).unwrap();
        assert_eq!(admitted["a"], 1);
    }

    #[test]
    fn broken_schemas_are_refused() {
        assert!(check_schema(&labels_schema()).is_ok());
        let bad_pattern =
            json!({"type": "object", "properties": {"p": {"type": "string", "pattern": "(["}}});
        assert!(check_schema(&bad_pattern)
            .unwrap_err()
            .contains("properties.p.pattern"));
        assert!(check_schema(&json!({"type": "objekt"})).is_err());
        let mut deep = json!({"type": "string"});
        for _ in 0..100 {
            deep = json!({"type": "object", "properties": {"x": deep}});
        }
        assert!(check_schema(&deep).unwrap_err().contains("deeper"));
    }
}
