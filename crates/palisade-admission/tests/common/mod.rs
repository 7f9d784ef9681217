//! AdmissionReview requests shaped as the API server sends them.
#![allow(dead_code)]

use serde_json::{json, Value};

pub const POLICIES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/policies.yaml");

pub struct Req {
    pub kind: &'static str,
    pub group: &'static str,
    pub version: &'static str,
    pub resource: &'static str,
    pub sub_resource: Option<&'static str>,
    pub namespace: &'static str,
    pub name: &'static str,
    pub operation: &'static str,
    pub object: Value,
    pub old_object: Option<Value>,
    pub dry_run: bool,
}

impl Req {
    pub fn create(kind: &'static str, namespace: &'static str, object: Value) -> Self {
        let (group, version, resource) = match kind {
            "Pod" => ("", "v1", "pods"),
            "ReplicationController" => ("", "v1", "replicationcontrollers"),
            "Deployment" => ("apps", "v1", "deployments"),
            "StatefulSet" => ("apps", "v1", "statefulsets"),
            "DaemonSet" => ("apps", "v1", "daemonsets"),
            "ReplicaSet" => ("apps", "v1", "replicasets"),
            "Job" => ("batch", "v1", "jobs"),
            "CronJob" => ("batch", "v1", "cronjobs"),
            "ConfigMap" => ("", "v1", "configmaps"),
            other => panic!("no resource for {other}"),
        };
        let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
        Self {
            kind,
            group,
            version,
            resource,
            sub_resource: None,
            namespace,
            name: Box::leak(name.into_boxed_str()),
            operation: "CREATE",
            object,
            old_object: None,
            dry_run: false,
        }
    }

    pub fn update(mut self, old: Value) -> Self {
        self.operation = "UPDATE";
        self.old_object = Some(old);
        self
    }

    /// The JSON body the API server POSTs.
    pub fn body(&self, uid: &str) -> Value {
        let api_version = if self.group.is_empty() {
            self.version.to_owned()
        } else {
            format!("{}/{}", self.group, self.version)
        };
        let mut object = self.object.clone();
        object["apiVersion"] = json!(api_version);
        object["kind"] = json!(self.kind);
        object["metadata"]["namespace"] = json!(self.namespace);
        let gvk = json!({"group": self.group, "version": self.version, "kind": self.kind});
        let gvr = json!({"group": self.group, "version": self.version, "resource": self.resource});
        let options = if self.operation == "CREATE" {
            json!({"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-client-side-apply", "fieldValidation": "Strict"})
        } else {
            json!({"kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-edit", "fieldValidation": "Strict"})
        };
        let mut req = json!({
            "uid": uid,
            "kind": gvk,
            "resource": gvr,
            "requestKind": gvk,
            "requestResource": gvr,
            "name": self.name,
            "namespace": self.namespace,
            "operation": self.operation,
            "userInfo": {
                "username": "kubernetes-admin",
                "uid": "aa1b2c3d-0000-4000-8000-000000000001",
                "groups": ["kubeadm:cluster-admins", "system:authenticated"],
                "extra": {"authentication.kubernetes.io/credential-id": ["X509SHA256=0f2c"]}
            },
            "object": object,
            "oldObject": null,
            "dryRun": self.dry_run,
            "options": options
        });
        if let Some(sub) = self.sub_resource {
            req["subResource"] = json!(sub);
            req["requestSubResource"] = json!(sub);
        }
        if let Some(old) = &self.old_object {
            let mut old = old.clone();
            old["apiVersion"] = json!(api_version);
            old["kind"] = json!(self.kind);
            old["metadata"]["namespace"] = json!(self.namespace);
            req["oldObject"] = old;
        }
        json!({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": req})
    }
}

/// A container that passes `restricted` and the registry rules.
pub fn good_container(name: &str) -> Value {
    json!({
        "name": name,
        "image": "ghcr.io/acme/shop:1.4.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "resources": {"limits": {"memory": "256Mi", "cpu": "500m"}},
        "securityContext": {
            "allowPrivilegeEscalation": false,
            "runAsNonRoot": true,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"}
        }
    })
}

pub fn pod_spec(containers: Vec<Value>) -> Value {
    json!({"containers": containers})
}

pub fn pod(name: &str, spec: Value) -> Value {
    json!({"metadata": {"name": name, "uid": "5f7a0d6e-1111-4222-8333-444455556666", "creationTimestamp": null}, "spec": spec})
}

/// A workload of `kind` wrapping `spec` as its pod template.
pub fn workload(kind: &str, name: &str, spec: Value) -> Value {
    let template = json!({"metadata": {"labels": {"app": name}}, "spec": spec});
    let body = match kind {
        "Pod" => return pod(name, spec),
        "CronJob" => {
            json!({"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": template}}})
        }
        "Job" => json!({"template": template}),
        "ReplicationController" => {
            json!({"replicas": 1, "selector": {"app": name}, "template": template})
        }
        _ => {
            json!({"replicas": 2, "selector": {"matchLabels": {"app": name}}, "template": template})
        }
    };
    json!({"metadata": {"name": name}, "spec": body})
}
