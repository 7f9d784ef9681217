//! Gatekeeper's `spec.match`: which objects a constraint applies to.
//!
//! - `kinds[{apiGroups, kinds}]`: any entry matches (`*` matches any group or kind); absent or
//!   empty: every kind.
//! - `namespaces` / `excludedNamespaces`: names, with a `*` allowed at the start or end
//!   (`kube-*`, `*-system`). A `Namespace` object is in the namespace it names; other
//!   cluster-scoped objects are not filtered by them. A namespaced object written without a
//!   namespace is in `default`.
//! - `labelSelector`: `matchLabels` and `matchExpressions` (`In`, `NotIn`, `Exists`,
//!   `DoesNotExist`) on the object's labels.
//! - `namespaceSelector`: the same on the labels of the object's `Namespace` (from the scanned
//!   objects; a namespace not among them has no labels). A `Namespace` object uses its own
//!   labels; other cluster-scoped objects are not filtered by it.
//! - `scope`: `*` (default), `Cluster` or `Namespaced`.
//! - `name`: the object's name, with a `*` allowed at the start or end.

use palisade_k8s::{Inventory, Object};
use serde_json::{Map, Value};

/// A parsed `spec.match`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Match {
    pub kinds: Vec<KindSelector>,
    pub namespaces: Option<Vec<String>>,
    pub excluded_namespaces: Vec<String>,
    pub label_selector: Option<LabelSelector>,
    pub namespace_selector: Option<LabelSelector>,
    pub scope: Scope,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindSelector {
    pub api_groups: Vec<String>,
    pub kinds: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    #[default]
    All,
    Cluster,
    Namespaced,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub match_labels: Vec<(String, String)>,
    pub match_expressions: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

fn strings(v: &Value, what: &str) -> Result<Vec<String>, String> {
    let items = v
        .as_array()
        .ok_or_else(|| format!("{what} must be a list"))?;
    items
        .iter()
        .map(|s| {
            s.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("{what} must hold strings"))
        })
        .collect()
}

impl Match {
    pub fn parse(v: &Value) -> Result<Self, String> {
        let map = v.as_object().ok_or("spec.match must be a mapping")?;
        let mut m = Match::default();
        if let Some(kinds) = map.get("kinds") {
            let kinds = kinds.as_array().ok_or("spec.match.kinds must be a list")?;
            for k in kinds {
                let get = |field: &str| -> Result<Vec<String>, String> {
                    match k.get(field) {
                        Some(v) => strings(v, &format!("spec.match.kinds[].{field}")),
                        None => Ok(Vec::new()),
                    }
                };
                m.kinds.push(KindSelector {
                    api_groups: get("apiGroups")?,
                    kinds: get("kinds")?,
                });
            }
        }
        if let Some(ns) = map.get("namespaces") {
            m.namespaces = Some(strings(ns, "spec.match.namespaces")?);
        }
        if let Some(ns) = map.get("excludedNamespaces") {
            m.excluded_namespaces = strings(ns, "spec.match.excludedNamespaces")?;
        }
        if let Some(s) = map.get("labelSelector") {
            m.label_selector = Some(LabelSelector::parse(s, "spec.match.labelSelector")?);
        }
        if let Some(s) = map.get("namespaceSelector") {
            m.namespace_selector = Some(LabelSelector::parse(s, "spec.match.namespaceSelector")?);
        }
        if let Some(scope) = map.get("scope") {
            m.scope = match scope.as_str() {
                Some("*") => Scope::All,
                Some("Cluster") => Scope::Cluster,
                Some("Namespaced") => Scope::Namespaced,
                _ => return Err("spec.match.scope must be *, Cluster or Namespaced".into()),
            };
        }
        if let Some(name) = map.get("name") {
            m.name = Some(
                name.as_str()
                    .ok_or("spec.match.name must be a string")?
                    .to_owned(),
            );
        }
        Ok(m)
    }
}

impl LabelSelector {
    pub fn parse(v: &Value, what: &str) -> Result<Self, String> {
        let map = v
            .as_object()
            .ok_or_else(|| format!("{what} must be a mapping"))?;
        let mut s = LabelSelector::default();
        if let Some(labels) = map.get("matchLabels") {
            let labels = labels
                .as_object()
                .ok_or_else(|| format!("{what}.matchLabels must be a mapping"))?;
            for (k, v) in labels {
                let v = v
                    .as_str()
                    .ok_or_else(|| format!("{what}.matchLabels.{k} must be a string"))?;
                s.match_labels.push((k.clone(), v.to_owned()));
            }
        }
        if let Some(exprs) = map.get("matchExpressions") {
            let exprs = exprs
                .as_array()
                .ok_or_else(|| format!("{what}.matchExpressions must be a list"))?;
            for e in exprs {
                let key = e
                    .get("key")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{what}.matchExpressions[].key must be a string"))?;
                let operator = match e.get("operator").and_then(Value::as_str) {
                    Some("In") => Operator::In,
                    Some("NotIn") => Operator::NotIn,
                    Some("Exists") => Operator::Exists,
                    Some("DoesNotExist") => Operator::DoesNotExist,
                    other => {
                        return Err(format!(
                            "{what}.matchExpressions[].operator {other:?} is not In, NotIn, Exists or DoesNotExist"
                        ))
                    }
                };
                let values = match e.get("values") {
                    Some(Value::Null) | None => Vec::new(),
                    Some(v) => strings(v, &format!("{what}.matchExpressions[].values"))?,
                };
                match operator {
                    Operator::In | Operator::NotIn if values.is_empty() => {
                        return Err(format!(
                            "{what}.matchExpressions: {key} {operator:?} needs values"
                        ))
                    }
                    Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                        return Err(format!(
                            "{what}.matchExpressions: {key} {operator:?} takes no values"
                        ))
                    }
                    _ => {}
                }
                s.match_expressions.push(Requirement {
                    key: key.to_owned(),
                    operator,
                    values,
                });
            }
        }
        Ok(s)
    }

    /// Whether `labels` (an object's `metadata.labels`, maybe absent) satisfy every term.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.match_labels
            .iter()
            .all(|(k, v)| get(k) == Some(v.as_str()))
            && self.match_expressions.iter().all(|r| {
                let value = get(&r.key);
                match r.operator {
                    Operator::In => value.is_some_and(|v| r.values.iter().any(|x| x == v)),
                    Operator::NotIn => value.is_none_or(|v| !r.values.iter().any(|x| x == v)),
                    Operator::Exists => value.is_some(),
                    Operator::DoesNotExist => value.is_none(),
                }
            })
    }
}

/// `name` against a pattern with an optional `*` at its start or end.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix('*') {
        name.starts_with(prefix)
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        name.ends_with(suffix)
    } else {
        pattern == name
    }
}

fn labels(object: &Object) -> Option<&Map<String, Value>> {
    object.value.get("metadata")?.get("labels")?.as_object()
}

/// Whether the constraint with this `spec.match` applies to `object`.
pub fn matches(m: &Match, object: &Object, inventory: &Inventory) -> bool {
    if !m.kinds.is_empty() {
        let group = object.group();
        let hit = m.kinds.iter().any(|k| {
            k.api_groups.iter().any(|g| g == "*" || g == group)
                && k.kinds.iter().any(|x| x == "*" || *x == object.kind)
        });
        if !hit {
            return false;
        }
    }
    let namespaced = object.is_namespaced();
    match m.scope {
        Scope::All => {}
        Scope::Cluster if namespaced => return false,
        Scope::Namespaced if !namespaced => return false,
        _ => {}
    }
    if let Some(pattern) = &m.name {
        if !glob_match(pattern, &object.name) {
            return false;
        }
    }
    // The namespace the namespace filters look at: a Namespace is in itself.
    let namespace: Option<&str> = if object.kind == "Namespace" {
        Some(object.name.as_str())
    } else {
        object.namespace_or_default()
    };
    if let Some(ns) = namespace {
        if let Some(list) = &m.namespaces {
            if !list.iter().any(|p| glob_match(p, ns)) {
                return false;
            }
        }
        if m.excluded_namespaces.iter().any(|p| glob_match(p, ns)) {
            return false;
        }
        if let Some(selector) = &m.namespace_selector {
            let ns_labels = if object.kind == "Namespace" {
                labels(object)
            } else {
                inventory
                    .of_kind("Namespace")
                    .find(|n| n.name == ns)
                    .and_then(labels)
            };
            if !selector.matches(ns_labels) {
                return false;
            }
        }
    }
    if let Some(selector) = &m.label_selector {
        if !selector.matches(labels(object)) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("kube-*", "kube-system"));
        assert!(!glob_match("kube-*", "my-kube"));
        assert!(glob_match("*-system", "kube-system"));
        assert!(glob_match("prod", "prod"));
        assert!(!glob_match("prod", "production"));
    }

    #[test]
    fn selector_operators() {
        let s = LabelSelector::parse(
            &serde_json::json!({
                "matchLabels": {"app": "web"},
                "matchExpressions": [
                    {"key": "tier", "operator": "In", "values": ["front", "edge"]},
                    {"key": "legacy", "operator": "DoesNotExist"},
                    {"key": "team", "operator": "Exists"},
                    {"key": "env", "operator": "NotIn", "values": ["dev"]}
                ]
            }),
            "t",
        )
        .unwrap();
        let l = |v: Value| v.as_object().cloned().unwrap();
        let ok = l(serde_json::json!({"app": "web", "tier": "edge", "team": "a"}));
        assert!(s.matches(Some(&ok)));
        let bad_env =
            l(serde_json::json!({"app": "web", "tier": "edge", "team": "a", "env": "dev"}));
        assert!(!s.matches(Some(&bad_env)));
        let legacy =
            l(serde_json::json!({"app": "web", "tier": "edge", "team": "a", "legacy": "1"}));
        assert!(!s.matches(Some(&legacy)));
        let no_team = l(serde_json::json!({"app": "web", "tier": "edge"}));
        assert!(!s.matches(Some(&no_team)));
        assert!(!s.matches(None));
        assert!(LabelSelector::default().matches(None));
    }

    #[test]
    fn malformed_selectors_are_errors() {
        for bad in [
            serde_json::json!({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]}),
            serde_json::json!({"matchExpressions": [{"key": "a", "operator": "In"}]}),
            serde_json::json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}),
            serde_json::json!({"matchLabels": {"a": 1}}),
            serde_json::json!([]),
        ] {
            assert!(LabelSelector::parse(&bad, "s").is_err(), "{bad}");
        }
    }
}
