//! Audit events shaped as a real API server writes them (`audit.k8s.io/v1` Event, stage
//! ResponseComplete): requestURI built from the object reference, userInfo, sourceIPs,
//! userAgent, objectRef, responseStatus, requestObject/responseObject at RequestResponse
//! level, authorization annotations, timestamps.

#![allow(dead_code)]

use serde_json::{json, Map, Value};

#[derive(Clone)]
pub struct Req {
    pub verb: &'static str,
    pub api_group: &'static str,
    pub api_version: &'static str,
    pub resource: &'static str,
    pub subresource: Option<&'static str>,
    pub namespace: Option<&'static str>,
    pub name: Option<&'static str>,
    pub user: &'static str,
    pub groups: Vec<&'static str>,
    pub impersonate: Option<&'static str>,
    pub request: Option<Value>,
    pub code: u16,
    pub user_agent: &'static str,
    pub query: &'static str,
    pub source_ip: &'static str,
    pub time: &'static str,
    pub audit_id: &'static str,
    /// For requests without an object (non-resource URLs).
    pub uri: Option<&'static str>,
}

pub const KUBECTL: &str = "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350";
pub const GO_CLIENT: &str = "manager/v0.0.0 (linux/amd64) kubernetes/$Format";

pub fn req(verb: &'static str, resource: &'static str) -> Req {
    let (api_group, api_version) = group_of(resource);
    Req {
        verb,
        api_group,
        api_version,
        resource,
        subresource: None,
        namespace: Some("default"),
        name: Some("web"),
        user: "alice@example.com",
        groups: vec!["developers", "system:authenticated"],
        impersonate: None,
        request: None,
        code: if verb == "create" { 201 } else { 200 },
        user_agent: KUBECTL,
        query: "",
        source_ip: "203.0.113.7",
        time: "2026-03-02T10:15:30.123456Z",
        audit_id: "7e0b9f2c-4b8e-4a53-9a55-2d1f0c3b8a11",
        uri: None,
    }
}

fn group_of(resource: &str) -> (&'static str, &'static str) {
    match resource {
        "deployments" | "daemonsets" | "statefulsets" | "replicasets" => ("apps", "v1"),
        "jobs" | "cronjobs" => ("batch", "v1"),
        "roles" | "clusterroles" | "rolebindings" | "clusterrolebindings" => {
            ("rbac.authorization.k8s.io", "v1")
        }
        "validatingwebhookconfigurations" | "mutatingwebhookconfigurations" => {
            ("admissionregistration.k8s.io", "v1")
        }
        "events" => ("events.k8s.io", "v1"),
        _ => ("", "v1"),
    }
}

impl Req {
    pub fn ns(mut self, ns: Option<&'static str>) -> Self {
        self.namespace = ns;
        self
    }
    pub fn name(mut self, n: Option<&'static str>) -> Self {
        self.name = n;
        self
    }
    pub fn subres(mut self, s: &'static str) -> Self {
        self.subresource = Some(s);
        self
    }
    pub fn user(mut self, u: &'static str) -> Self {
        self.user = u;
        self.groups = if u == "system:anonymous" {
            vec!["system:unauthenticated"]
        } else if let Some(rest) = u.strip_prefix("system:serviceaccount:") {
            let ns: &'static str = Box::leak(
                format!(
                    "system:serviceaccounts:{}",
                    rest.split(':').next().unwrap_or("")
                )
                .into_boxed_str(),
            );
            vec!["system:serviceaccounts", ns, "system:authenticated"]
        } else if u.starts_with("system:node:") {
            vec!["system:nodes", "system:authenticated"]
        } else {
            self.groups
        };
        self
    }
    pub fn body(mut self, v: Value) -> Self {
        self.request = Some(v);
        self
    }
    pub fn code(mut self, c: u16) -> Self {
        self.code = c;
        self
    }
    pub fn agent(mut self, a: &'static str) -> Self {
        self.user_agent = a;
        self
    }
    pub fn query(mut self, q: &'static str) -> Self {
        self.query = q;
        self
    }
    pub fn impersonate(mut self, u: &'static str) -> Self {
        self.impersonate = Some(u);
        self
    }
    pub fn uri(mut self, u: &'static str) -> Self {
        self.uri = Some(u);
        self
    }
    pub fn at(mut self, t: &'static str) -> Self {
        self.time = t;
        self
    }
    pub fn id(mut self, id: &'static str) -> Self {
        self.audit_id = id;
        self
    }

    pub fn request_uri(&self) -> String {
        if let Some(u) = self.uri {
            return u.to_string();
        }
        let mut u = if self.api_group.is_empty() {
            format!("/api/{}", self.api_version)
        } else {
            format!("/apis/{}/{}", self.api_group, self.api_version)
        };
        if let Some(ns) = self.namespace {
            u.push_str(&format!("/namespaces/{ns}"));
        }
        u.push('/');
        u.push_str(self.resource);
        let collection = matches!(self.verb, "create" | "list" | "watch" | "deletecollection")
            && self.subresource.is_none();
        if let (Some(n), false) = (self.name, collection) {
            u.push('/');
            u.push_str(n);
        }
        if let Some(s) = self.subresource {
            u.push('/');
            u.push_str(s);
        }
        if !self.query.is_empty() {
            u.push('?');
            u.push_str(self.query);
        }
        u
    }

    pub fn event(&self) -> Value {
        let allowed = self.code < 400 || self.code >= 500;
        let mut ev = Map::new();
        ev.insert("kind".into(), json!("Event"));
        ev.insert("apiVersion".into(), json!("audit.k8s.io/v1"));
        ev.insert(
            "level".into(),
            json!(if self.request.is_some() {
                "RequestResponse"
            } else {
                "Metadata"
            }),
        );
        ev.insert("auditID".into(), json!(self.audit_id));
        ev.insert("stage".into(), json!("ResponseComplete"));
        ev.insert("requestURI".into(), json!(self.request_uri()));
        ev.insert("verb".into(), json!(self.verb));
        let mut user = json!({"username": self.user, "groups": self.groups});
        if self.user.starts_with("system:serviceaccount:") {
            user["uid"] = json!("1f7d4c1e-5b0a-4f0e-9d43-7b1c1a6e2f90");
            user["extra"] = json!({
                "authentication.kubernetes.io/credential-id": ["JTI=4c3b2a19-0e8f-4d7c-b6a5-9f8e7d6c5b4a"]
            });
        }
        ev.insert("user".into(), user);
        if let Some(imp) = self.impersonate {
            ev.insert(
                "impersonatedUser".into(),
                json!({"username": imp, "groups": ["system:authenticated"]}),
            );
        }
        ev.insert("sourceIPs".into(), json!([self.source_ip]));
        ev.insert("userAgent".into(), json!(self.user_agent));
        if self.uri.is_none() {
            let mut obj = Map::new();
            obj.insert("resource".into(), json!(self.resource));
            if let Some(ns) = self.namespace {
                obj.insert("namespace".into(), json!(ns));
            }
            if let Some(n) = self.name {
                obj.insert("name".into(), json!(n));
            }
            obj.insert("apiGroup".into(), json!(self.api_group));
            obj.insert("apiVersion".into(), json!(self.api_version));
            if let Some(s) = self.subresource {
                obj.insert("subresource".into(), json!(s));
            }
            ev.insert("objectRef".into(), Value::Object(obj));
        }
        let status = if allowed {
            json!({"metadata": {}, "code": self.code})
        } else {
            json!({
                "metadata": {},
                "status": "Failure",
                "message": format!("{} is forbidden: User \"{}\" cannot {} resource \"{}\"", self.resource, self.user, self.verb, self.resource),
                "reason": if self.code == 401 { "Unauthorized" } else { "Forbidden" },
                "details": {"kind": self.resource},
                "code": self.code
            })
        };
        ev.insert("responseStatus".into(), status);
        if let Some(body) = &self.request {
            ev.insert("requestObject".into(), body.clone());
            if allowed && matches!(self.verb, "create" | "update" | "patch") {
                let mut resp = body.clone();
                if let Some(meta) = resp.get_mut("metadata").and_then(Value::as_object_mut) {
                    meta.insert("uid".into(), json!("0b7c6a4e-2f1d-4e3a-8c9b-5d6e7f8a9b0c"));
                    meta.insert("resourceVersion".into(), json!("482913"));
                    meta.insert("creationTimestamp".into(), json!("2026-03-02T10:15:30Z"));
                }
                ev.insert("responseObject".into(), resp);
            }
        }
        ev.insert("requestReceivedTimestamp".into(), json!(self.time));
        ev.insert("stageTimestamp".into(), json!(self.time));
        let mut ann = Map::new();
        if allowed {
            ann.insert("authorization.k8s.io/decision".into(), json!("allow"));
            ann.insert(
                "authorization.k8s.io/reason".into(),
                json!("RBAC: allowed by ClusterRoleBinding \"platform-admins\" of ClusterRole \"cluster-admin\" to Group \"developers\""),
            );
        } else {
            ann.insert("authorization.k8s.io/decision".into(), json!("forbid"));
            ann.insert("authorization.k8s.io/reason".into(), json!(""));
        }
        if self.resource == "pods" && self.verb == "create" {
            ann.insert(
                "pod-security.kubernetes.io/enforce-policy".into(),
                json!("privileged:latest"),
            );
        }
        ev.insert("annotations".into(), Value::Object(ann));
        Value::Object(ev)
    }
}

/// A container as `kubectl` sends it.
pub fn container(name: &str, image: &str) -> Value {
    json!({
        "name": name,
        "image": image,
        "resources": {},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent"
    })
}

pub fn pod_spec(containers: Vec<Value>) -> Value {
    json!({
        "containers": containers,
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst",
        "securityContext": {},
        "schedulerName": "default-scheduler",
        "enableServiceLinks": true
    })
}

pub fn pod(ns: &str, name: &str, spec: Value) -> Value {
    json!({
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": spec,
        "status": {}
    })
}

pub fn workload(kind: &str, api_version: &str, ns: &str, name: &str, spec: Value) -> Value {
    let template = json!({"metadata": {"labels": {"app": name}}, "spec": spec});
    let body = match kind {
        "CronJob" => json!({
            "schedule": "*/5 * * * *",
            "concurrencyPolicy": "Allow",
            "jobTemplate": {"metadata": {}, "spec": {"template": template}}
        }),
        "Job" => json!({"template": template, "backoffLimit": 6}),
        _ => json!({
            "selector": {"matchLabels": {"app": name}},
            "template": template
        }),
    };
    json!({
        "kind": kind,
        "apiVersion": api_version,
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": body
    })
}

pub fn role(kind: &str, ns: Option<&str>, name: &str, rules: Value) -> Value {
    let mut meta = json!({"name": name});
    if let Some(ns) = ns {
        meta["namespace"] = json!(ns);
    }
    json!({"kind": kind, "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": meta, "rules": rules})
}

pub fn binding(kind: &str, ns: Option<&str>, name: &str, role: &str, subjects: Value) -> Value {
    let mut meta = json!({"name": name});
    if let Some(ns) = ns {
        meta["namespace"] = json!(ns);
    }
    json!({
        "kind": kind,
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": meta,
        "subjects": subjects,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}
    })
}

pub fn service(ns: &str, name: &str, kind: &str, port: u16) -> Value {
    json!({
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "type": kind,
            "selector": {"app": name},
            "ports": [{"protocol": "TCP", "port": port, "targetPort": port}]
        }
    })
}
