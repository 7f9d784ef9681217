//! Workloads and their pod templates, typed with `k8s-openapi`.
//!
//! Every workload kind carries a pod template at a kind-specific place; checks look at the
//! template only, so a misconfiguration is found once whatever the kind. The template is read
//! with the `k8s-openapi` types (`PodSpec`, `ObjectMeta`) straight from the object's JSON, so
//! any `apiVersion` of the kind works (`apps/v1`, the old `extensions/v1beta1`, ...).

use k8s_openapi::api::core::v1::{Container, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;

use crate::object::Object;

/// Workload kinds and where their pod template is: (kind, pointer to the template's
/// `metadata`, pointer to its `spec`).
pub const WORKLOAD_KINDS: &[(&str, &str, &str)] = &[
    ("Pod", "/metadata", "/spec"),
    (
        "Deployment",
        "/spec/template/metadata",
        "/spec/template/spec",
    ),
    (
        "StatefulSet",
        "/spec/template/metadata",
        "/spec/template/spec",
    ),
    (
        "DaemonSet",
        "/spec/template/metadata",
        "/spec/template/spec",
    ),
    (
        "ReplicaSet",
        "/spec/template/metadata",
        "/spec/template/spec",
    ),
    (
        "ReplicationController",
        "/spec/template/metadata",
        "/spec/template/spec",
    ),
    ("Job", "/spec/template/metadata", "/spec/template/spec"),
    (
        "CronJob",
        "/spec/jobTemplate/spec/template/metadata",
        "/spec/jobTemplate/spec/template/spec",
    ),
    ("PodTemplate", "/template/metadata", "/template/spec"),
];

/// The pod template of a workload object, typed.
#[derive(Debug, Clone)]
pub struct PodTemplate<'a> {
    pub owner: &'a Object,
    /// The template's metadata (for a Pod, the Pod's own).
    pub metadata: ObjectMeta,
    pub spec: PodSpec,
    /// JSON pointer of the template's `spec` in the owner (`/spec/template/spec`).
    pub spec_pointer: &'static str,
    /// JSON pointer of the template's `metadata`.
    pub metadata_pointer: &'static str,
    containers: Vec<ContainerRef>,
}

/// Which list of the pod spec a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ContainerKind {
    InitContainer,
    Container,
    EphemeralContainer,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            Self::InitContainer => "initContainers",
            Self::Container => "containers",
            Self::EphemeralContainer => "ephemeralContainers",
        }
    }
}

/// One container of a pod template, of any of the three lists, seen as a `Container` (an
/// ephemeral container has the same fields).
#[derive(Debug, Clone)]
pub struct ContainerRef {
    pub kind: ContainerKind,
    pub index: usize,
    pub container: Container,
}

impl ContainerRef {
    pub fn name(&self) -> &str {
        &self.container.name
    }
}

/// An error reading a workload's template with the Kubernetes types (a field of the wrong
/// type, say); the object is then not checked, and the error is reported at the template.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind} {name}: pod template does not match the Kubernetes schema: {message}")]
pub struct TemplateError {
    pub kind: String,
    pub name: String,
    pub message: String,
    pub pointer: &'static str,
}

/// Whether the kind carries a pod template.
pub fn is_workload_kind(kind: &str) -> bool {
    WORKLOAD_KINDS.iter().any(|(k, _, _)| *k == kind)
}

/// The pod template of a workload object; `Ok(None)` for other kinds or a workload without a
/// template (a ReplicationController may leave it out).
pub fn pod_template(object: &Object) -> Result<Option<PodTemplate<'_>>, TemplateError> {
    let Some((_, meta_ptr, spec_ptr)) = WORKLOAD_KINDS.iter().find(|(k, _, _)| *k == object.kind)
    else {
        return Ok(None);
    };
    let Some(spec_value) = object.pointer(spec_ptr) else {
        return Ok(None);
    };
    let error = |e: serde_json::Error, pointer: &'static str| TemplateError {
        kind: object.kind.clone(),
        name: object.name.clone(),
        message: e.to_string(),
        pointer,
    };
    let mut spec = PodSpec::deserialize(spec_value).map_err(|e| error(e, spec_ptr))?;
    apply_api_server_defaults(&mut spec, spec_value);
    let metadata = match object.pointer(meta_ptr) {
        Some(m) => ObjectMeta::deserialize(m).map_err(|e| error(e, meta_ptr))?,
        None => ObjectMeta::default(),
    };
    let containers = all_containers(&spec);
    Ok(Some(PodTemplate {
        owner: object,
        metadata,
        spec,
        spec_pointer: spec_ptr,
        metadata_pointer: meta_ptr,
        containers,
    }))
}

/// The API server's defaulting that changes what the checks see (`SetDefaults_Volume`): a
/// volume with no source is stored as an `emptyDir`, so admission and a live cluster never
/// see it without one, and neither should a check reading the manifest. Whether a volume has
/// a source is read from the manifest itself (`raw_spec`): a key other than `name`.
fn apply_api_server_defaults(spec: &mut PodSpec, raw_spec: &serde_json::Value) {
    let raw = raw_spec.get("volumes").and_then(|v| v.as_array());
    for (i, volume) in spec.volumes.iter_mut().flatten().enumerate() {
        let has_source = raw
            .and_then(|r| r.get(i))
            .and_then(|v| v.as_object())
            .is_none_or(|m| m.iter().any(|(k, v)| k != "name" && !v.is_null()));
        if !has_source {
            volume.empty_dir = Some(Default::default());
        }
    }
}

/// Init containers, containers, then ephemeral containers (the order the Pod Security
/// admission visits them in).
fn all_containers(spec: &PodSpec) -> Vec<ContainerRef> {
    let mut out = Vec::new();
    for (index, c) in spec.init_containers.iter().flatten().enumerate() {
        out.push(ContainerRef {
            kind: ContainerKind::InitContainer,
            index,
            container: c.clone(),
        });
    }
    for (index, c) in spec.containers.iter().enumerate() {
        out.push(ContainerRef {
            kind: ContainerKind::Container,
            index,
            container: c.clone(),
        });
    }
    for (index, e) in spec.ephemeral_containers.iter().flatten().enumerate() {
        // Same fields, different type: go through JSON to keep to the typed model.
        let container = serde_json::to_value(e)
            .ok()
            .and_then(|v| Container::deserialize(&v).ok())
            .unwrap_or_else(|| Container {
                name: e.name.clone(),
                ..Container::default()
            });
        out.push(ContainerRef {
            kind: ContainerKind::EphemeralContainer,
            index,
            container,
        });
    }
    out
}

impl PodTemplate<'_> {
    /// Init containers, containers, then ephemeral containers (the order the Pod Security
    /// admission visits them in), each seen as a `Container`.
    pub fn containers(&self) -> &[ContainerRef] {
        &self.containers
    }

    /// JSON pointer of a field in the pod spec: `spec("hostPID")` → `/spec/template/spec/hostPID`.
    pub fn spec_field(&self, rest: &str) -> String {
        format!("{}/{}", self.spec_pointer, rest)
    }

    /// JSON pointer of a field of a container: `container_field(c, "securityContext/privileged")`.
    pub fn container_field(&self, c: &ContainerRef, rest: &str) -> String {
        if rest.is_empty() {
            format!("{}/{}/{}", self.spec_pointer, c.kind.field(), c.index)
        } else {
            format!(
                "{}/{}/{}/{}",
                self.spec_pointer,
                c.kind.field(),
                c.index,
                rest
            )
        }
    }

    /// Whether the pod is declared a Windows pod (`spec.os.name: windows`).
    pub fn is_windows(&self) -> bool {
        self.spec.os.as_ref().is_some_and(|os| os.name == "windows")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{load_str, LoadOptions, Loaded};

    fn objects(text: &str) -> Vec<Object> {
        let mut out = Loaded::default();
        load_str(text, "w.yaml".into(), &LoadOptions::default(), &mut out);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        out.objects
    }

    #[test]
    fn every_workload_kind_yields_its_template() {
        let containers = "containers: [{name: c, image: nginx}]\n      initContainers: [{name: i, image: busybox}]";
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  {}\n---\n\
             apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  template:\n    spec:\n      {containers}\n---\n\
             apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: cj}}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{{name: c, image: x}}]\n---\n\
             apiVersion: v1\nkind: Service\nmetadata: {{name: s}}\n",
            "containers: [{name: c, image: nginx}]"
        );
        let objs = objects(&text);
        let t: Vec<_> = objs.iter().map(|o| pod_template(o).unwrap()).collect();
        assert_eq!(t[0].as_ref().unwrap().containers().len(), 1);
        let d = t[1].as_ref().unwrap();
        let names: Vec<_> = d
            .containers()
            .iter()
            .map(|c| (c.kind, c.name().to_owned()))
            .collect();
        assert_eq!(
            names,
            [
                (ContainerKind::InitContainer, "i".to_owned()),
                (ContainerKind::Container, "c".to_owned())
            ]
        );
        let c = &d.containers()[1];
        assert_eq!(
            d.container_field(c, "image"),
            "/spec/template/spec/containers/0/image"
        );
        assert_eq!(objs[1].location_of(&d.container_field(c, "image")).line, 13);
        assert_eq!(
            t[2].as_ref().unwrap().spec_pointer,
            "/spec/jobTemplate/spec/template/spec"
        );
        assert!(t[3].is_none());
    }

    #[test]
    fn ephemeral_containers_are_containers_too() {
        let objs = objects(
            "kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n  ephemeralContainers:\n  - name: debug\n    image: busybox\n    securityContext: {privileged: true}\n",
        );
        let t = pod_template(&objs[0]).unwrap().unwrap();
        let all = t.containers();
        assert_eq!(all[1].kind, ContainerKind::EphemeralContainer);
        assert_eq!(
            all[1]
                .container
                .security_context
                .as_ref()
                .unwrap()
                .privileged,
            Some(true)
        );
    }

    #[test]
    fn schema_mismatch_is_an_error_not_a_panic() {
        let objs =
            objects("kind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: [1]\n  containers: []\n");
        let err = pod_template(&objs[0]).unwrap_err();
        assert!(err.to_string().contains("Pod p"), "{err}");
    }
}
