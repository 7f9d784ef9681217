//! One Kubernetes object as read from a source, with where it came from.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::lines::Lines;

/// Where an object (or one of its fields) is: file (or `-` for stdin) and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SourceLocation {
    pub file: Arc<str>,
    pub line: u32,
}

impl std::fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A Kubernetes object: its identity, its JSON value, and the lines of its fields.
#[derive(Debug, Clone)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// As written; `None` for cluster-scoped objects and for namespaced ones written without
    /// a namespace (see [`Object::namespace_or_default`]).
    pub namespace: Option<String>,
    pub location: SourceLocation,
    pub value: Value,
    lines: Lines,
}

/// Kinds that are not namespaced (the ones a posture scan meets; others default to namespaced).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
    "PodSecurityPolicy",
];

impl Object {
    /// Builds an object from a decoded document; `None` when it has no `kind` (not an object).
    pub fn from_value(value: Value, lines: Lines, file: Arc<str>) -> Result<Self, String> {
        let Value::Object(map) = &value else {
            return Err("a Kubernetes object must be a mapping".into());
        };
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let kind = text(map.get("kind")).ok_or("object without a string `kind`")?;
        let api_version = text(map.get("apiVersion")).unwrap_or_default();
        let meta = map.get("metadata");
        let name = text(meta.and_then(|m| m.get("name")))
            .or_else(|| text(meta.and_then(|m| m.get("generateName"))))
            .unwrap_or_default();
        let namespace = text(meta.and_then(|m| m.get("namespace"))).filter(|n| !n.is_empty());
        let location = SourceLocation {
            file,
            line: lines.line(),
        };
        Ok(Self {
            api_version,
            kind,
            name,
            namespace,
            location,
            value,
            lines,
        })
    }

    pub fn is_namespaced(&self) -> bool {
        !CLUSTER_SCOPED.contains(&self.kind.as_str())
    }

    /// The namespace, with `default` for a namespaced object written without one (as kubectl
    /// applies it); `None` for cluster-scoped kinds.
    pub fn namespace_or_default(&self) -> Option<&str> {
        if !self.is_namespaced() {
            return None;
        }
        Some(self.namespace.as_deref().unwrap_or("default"))
    }

    /// `Kind/namespace/name` or `Kind/name`.
    pub fn display_name(&self) -> String {
        match self.namespace_or_default() {
            Some(ns) => format!("{}/{}/{}", self.kind, ns, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }

    /// The API group (`apps`, `rbac.authorization.k8s.io`; empty for the core group).
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map(|(g, _)| g)
            .unwrap_or("")
    }

    /// File and line of a field (a JSON pointer such as `/spec/template/spec/hostPID`): the
    /// field's own line when present, else the nearest enclosing field's.
    pub fn location_of(&self, pointer: &str) -> SourceLocation {
        SourceLocation {
            file: self.location.file.clone(),
            line: self.lines.at(pointer),
        }
    }

    pub fn lines(&self) -> &Lines {
        &self.lines
    }

    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        self.value.pointer(pointer)
    }

    /// A string in `metadata.labels`.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.value
            .get("metadata")?
            .get("labels")?
            .get(key)?
            .as_str()
    }

    /// A string in `metadata.annotations`.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.value
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }

    /// The labels, as strings (non-string values are left out).
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.value
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
    }

    /// The controlling owner (`ownerReferences[]` with `controller: true`): kind and name.
    pub fn controller(&self) -> Option<(&str, &str)> {
        self.value
            .pointer("/metadata/ownerReferences")?
            .as_array()?
            .iter()
            .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
            .and_then(|r| Some((r.get("kind")?.as_str()?, r.get("name")?.as_str()?)))
    }
}

/// The Services an Ingress routes to (its default backend and every path's backend), in
/// `networking.k8s.io/v1` and the older `extensions/v1beta1` field names.
pub fn ingress_backends(ingress: &Object) -> std::collections::BTreeSet<String> {
    let mut backends = std::collections::BTreeSet::new();
    if let Some(b) = ingress
        .pointer("/spec/defaultBackend/service/name")
        .or_else(|| ingress.pointer("/spec/backend/serviceName"))
        .and_then(Value::as_str)
    {
        backends.insert(b.to_owned());
    }
    let paths = ingress
        .pointer("/spec/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|rule| rule.pointer("/http/paths").and_then(Value::as_array))
        .flatten();
    for path in paths {
        if let Some(b) = path
            .pointer("/backend/service/name")
            .or_else(|| path.pointer("/backend/serviceName"))
            .and_then(Value::as_str)
        {
            backends.insert(b.to_owned());
        }
    }
    backends
}

/// ClusterRoles by name and Roles by (namespace, name), for resolving bindings' `roleRef`.
pub struct RoleIndex<'a> {
    pub cluster_roles: std::collections::BTreeMap<&'a str, &'a Object>,
    pub roles: std::collections::BTreeMap<(&'a str, &'a str), &'a Object>,
}

impl<'a> RoleIndex<'a> {
    pub fn new(inv: &'a crate::Inventory) -> Self {
        Self {
            cluster_roles: inv
                .of_kind("ClusterRole")
                .map(|o| (o.name.as_str(), o))
                .collect(),
            roles: inv
                .of_kind("Role")
                .map(|o| {
                    (
                        (
                            o.namespace_or_default().unwrap_or("default"),
                            o.name.as_str(),
                        ),
                        o,
                    )
                })
                .collect(),
        }
    }
}
