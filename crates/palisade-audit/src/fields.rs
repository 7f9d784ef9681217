//! The `k8s_audit` event source: the `ka.*` and `jevt.*` fields, with the names Falco's audit
//! rules use, read from an [`AuditEvent`].
//!
//! Palisade reads the `ka.req.pod.*` fields from the pod template of workload objects too
//! (Deployments, DaemonSets, StatefulSets, ReplicaSets, Jobs, CronJobs, ReplicationControllers,
//! PodTemplates), and includes init and ephemeral containers in `ka.req.pod.containers.*`, so
//! that a privileged container is seen whichever object carries it.

use std::borrow::Cow;
use std::sync::Arc;

use palisade_rules::{Event, FieldError, FieldSource, FieldSpec, Value, Values};
use serde_json::{Map, Value as Json};

use crate::decode::AuditEvent;

/// What a field reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    AuditId,
    Stage,
    AuthDecision,
    AuthReason,
    UserName,
    UserGroups,
    ImpUserName,
    Verb,
    Uri,
    UriParam,
    TargetName,
    TargetNamespace,
    TargetResource,
    TargetSubresource,
    TargetPodName,
    BindingSubjects,
    BindingSubjectHasName,
    BindingRole,
    ConfigMapName,
    ConfigMapObj,
    Images,
    ImageRepositories,
    HostIpc,
    HostNetwork,
    HostPid,
    HostPorts,
    Privileged,
    InitImages,
    InitPrivileged,
    EphemeralImages,
    EphemeralPrivileged,
    AllowPrivilegeEscalation,
    ReadOnlyFs,
    PodRunAsUser,
    ContainersRunAsUser,
    EffRunAsUser,
    PodRunAsGroup,
    ContainersRunAsGroup,
    EffRunAsGroup,
    ProcMount,
    AddCapabilities,
    FsGroup,
    SupplementalGroups,
    HostPaths,
    SensitiveHostPaths,
    VolumeHostPath,
    FlexVolumeDrivers,
    VolumeTypes,
    RoleRules,
    RoleRulesApiGroups,
    RoleRulesNonResourceUrls,
    RoleRulesVerbs,
    RoleRulesResources,
    ServiceType,
    ServicePorts,
    ServiceTargetPorts,
    ServiceSourceRanges,
    RespName,
    ResponseCode,
    ResponseReason,
    UserAgent,
    SourceIps,
    ClusterName,
    JevtValue,
    JevtObj,
    JevtTime,
    JevtRawtime,
}

/// Whether a field takes an `[argument]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arg {
    None,
    Required,
}

/// Every supported field: name, what it reads, whether it takes an argument, description.
const FIELDS: &[(&str, F, Arg, &str)] = &[
    ("ka.auditid", F::AuditId, Arg::None, "the event's auditID"),
    (
        "ka.stage",
        F::Stage,
        Arg::None,
        "stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)",
    ),
    (
        "ka.auth.decision",
        F::AuthDecision,
        Arg::None,
        "authorization decision annotation (allow, forbid)",
    ),
    (
        "ka.auth.reason",
        F::AuthReason,
        Arg::None,
        "authorization reason annotation",
    ),
    ("ka.user.name", F::UserName, Arg::None, "user name"),
    (
        "ka.user.groups",
        F::UserGroups,
        Arg::None,
        "user groups (list)",
    ),
    (
        "ka.impuser.name",
        F::ImpUserName,
        Arg::None,
        "impersonated user name",
    ),
    (
        "ka.verb",
        F::Verb,
        Arg::None,
        "verb (get, list, watch, create, update, patch, delete, deletecollection, ...)",
    ),
    ("ka.uri", F::Uri, Arg::None, "request URI"),
    (
        "ka.uri.param",
        F::UriParam,
        Arg::Required,
        "a query parameter of the request URI",
    ),
    (
        "ka.target.name",
        F::TargetName,
        Arg::None,
        "target object name",
    ),
    (
        "ka.target.namespace",
        F::TargetNamespace,
        Arg::None,
        "target namespace",
    ),
    (
        "ka.target.resource",
        F::TargetResource,
        Arg::None,
        "target resource (pods, secrets, ...)",
    ),
    (
        "ka.target.subresource",
        F::TargetSubresource,
        Arg::None,
        "target subresource (exec, attach, token, ...)",
    ),
    (
        "ka.target.pod.name",
        F::TargetPodName,
        Arg::None,
        "target pod name (pods only)",
    ),
    (
        "ka.req.binding.subjects",
        F::BindingSubjects,
        Arg::None,
        "names of a (cluster) role binding's subjects (list)",
    ),
    (
        "ka.req.binding.subject.has_name",
        F::BindingSubjectHasName,
        Arg::Required,
        "whether the binding has a subject of that name",
    ),
    (
        "ka.req.binding.role",
        F::BindingRole,
        Arg::None,
        "the role a (cluster) role binding refers to",
    ),
    (
        "ka.req.configmap.name",
        F::ConfigMapName,
        Arg::None,
        "ConfigMap name in the request",
    ),
    (
        "ka.req.configmap.obj",
        F::ConfigMapObj,
        Arg::None,
        "ConfigMap data in the request, as JSON",
    ),
    (
        "ka.req.pod.containers.image",
        F::Images,
        Arg::None,
        "container images (list)",
    ),
    (
        "ka.req.container.image",
        F::Images,
        Arg::None,
        "alias of ka.req.pod.containers.image",
    ),
    (
        "ka.req.pod.containers.image.repository",
        F::ImageRepositories,
        Arg::None,
        "container images without tag or digest (list)",
    ),
    (
        "ka.req.container.image.repository",
        F::ImageRepositories,
        Arg::None,
        "alias of ka.req.pod.containers.image.repository",
    ),
    ("ka.req.pod.host_ipc", F::HostIpc, Arg::None, "hostIPC"),
    (
        "ka.req.pod.host_network",
        F::HostNetwork,
        Arg::None,
        "hostNetwork",
    ),
    (
        "ka.req.container.host_network",
        F::HostNetwork,
        Arg::None,
        "alias of ka.req.pod.host_network",
    ),
    ("ka.req.pod.host_pid", F::HostPid, Arg::None, "hostPID"),
    (
        "ka.req.pod.containers.host_port",
        F::HostPorts,
        Arg::None,
        "container hostPorts (list)",
    ),
    (
        "ka.req.pod.containers.privileged",
        F::Privileged,
        Arg::None,
        "privileged, per container (list)",
    ),
    (
        "ka.req.pod.initContainers.privileged",
        F::InitPrivileged,
        Arg::None,
        "privileged, per init container (list)",
    ),
    (
        "ka.req.pod.initContainers.image",
        F::InitImages,
        Arg::None,
        "init container images (list)",
    ),
    (
        "ka.req.pod.ephemeralContainers.privileged",
        F::EphemeralPrivileged,
        Arg::None,
        "privileged, per ephemeral container (list)",
    ),
    (
        "ka.req.pod.ephemeralContainers.image",
        F::EphemeralImages,
        Arg::None,
        "ephemeral container images (list)",
    ),
    (
        "ka.req.container.privileged",
        F::Privileged,
        Arg::None,
        "alias of ka.req.pod.containers.privileged",
    ),
    (
        "ka.req.pod.containers.allow_privilege_escalation",
        F::AllowPrivilegeEscalation,
        Arg::None,
        "allowPrivilegeEscalation, per container (list)",
    ),
    (
        "ka.req.pod.containers.read_only_fs",
        F::ReadOnlyFs,
        Arg::None,
        "readOnlyRootFilesystem, per container (list)",
    ),
    (
        "ka.req.pod.run_as_user",
        F::PodRunAsUser,
        Arg::None,
        "pod runAsUser",
    ),
    (
        "ka.req.pod.containers.run_as_user",
        F::ContainersRunAsUser,
        Arg::None,
        "container runAsUser (list)",
    ),
    (
        "ka.req.pod.containers.eff_run_as_user",
        F::EffRunAsUser,
        Arg::None,
        "effective runAsUser per container, 0 when unset (list)",
    ),
    (
        "ka.req.pod.run_as_group",
        F::PodRunAsGroup,
        Arg::None,
        "pod runAsGroup",
    ),
    (
        "ka.req.pod.containers.run_as_group",
        F::ContainersRunAsGroup,
        Arg::None,
        "container runAsGroup (list)",
    ),
    (
        "ka.req.pod.containers.eff_run_as_group",
        F::EffRunAsGroup,
        Arg::None,
        "effective runAsGroup per container, 0 when unset (list)",
    ),
    (
        "ka.req.pod.containers.proc_mount",
        F::ProcMount,
        Arg::None,
        "procMount per container (list)",
    ),
    (
        "ka.req.pod.containers.add_capabilities",
        F::AddCapabilities,
        Arg::None,
        "capabilities added by any container (list)",
    ),
    ("ka.req.pod.fs_group", F::FsGroup, Arg::None, "pod fsGroup"),
    (
        "ka.req.pod.supplemental_groups",
        F::SupplementalGroups,
        Arg::None,
        "pod supplementalGroups (list)",
    ),
    (
        "ka.req.pod.volumes.hostpath",
        F::HostPaths,
        Arg::None,
        "hostPath volume paths (list)",
    ),
    (
        "ka.req.pod.volumes.sensitive_hostpath",
        F::SensitiveHostPaths,
        Arg::None,
        "hostPath volume paths, normalised, that are or lie below a sensitive host path (palisade_model::host_paths; list)",
    ),
    (
        "ka.req.volume.hostpath",
        F::VolumeHostPath,
        Arg::Required,
        "whether a hostPath volume mounts this path or a path above it",
    ),
    (
        "ka.req.pod.volumes.flexvolume_driver",
        F::FlexVolumeDrivers,
        Arg::None,
        "flexVolume drivers (list)",
    ),
    (
        "ka.req.pod.volumes.volume_type",
        F::VolumeTypes,
        Arg::None,
        "volume types (hostPath, secret, ...) (list)",
    ),
    (
        "ka.req.role.rules",
        F::RoleRules,
        Arg::None,
        "role rules as JSON (list)",
    ),
    (
        "ka.req.role.rules.apiGroups",
        F::RoleRulesApiGroups,
        Arg::None,
        "apiGroups of all role rules (list)",
    ),
    (
        "ka.req.role.rules.nonResourceURLs",
        F::RoleRulesNonResourceUrls,
        Arg::None,
        "nonResourceURLs of all role rules (list)",
    ),
    (
        "ka.req.role.rules.verbs",
        F::RoleRulesVerbs,
        Arg::None,
        "verbs of all role rules (list)",
    ),
    (
        "ka.req.role.rules.resources",
        F::RoleRulesResources,
        Arg::None,
        "resources of all role rules (list)",
    ),
    (
        "ka.req.service.type",
        F::ServiceType,
        Arg::None,
        "Service type",
    ),
    (
        "ka.req.service.ports",
        F::ServicePorts,
        Arg::None,
        "Service ports (list)",
    ),
    (
        "ka.req.service.target_ports",
        F::ServiceTargetPorts,
        Arg::None,
        "Service target ports (list; numbers or port names)",
    ),
    (
        "ka.req.service.lb_source_ranges",
        F::ServiceSourceRanges,
        Arg::None,
        "Service loadBalancerSourceRanges (list of CIDRs)",
    ),
    (
        "ka.resp.name",
        F::RespName,
        Arg::None,
        "name of the object in the response",
    ),
    (
        "ka.response.code",
        F::ResponseCode,
        Arg::None,
        "HTTP response code",
    ),
    (
        "ka.response.reason",
        F::ResponseReason,
        Arg::None,
        "response reason",
    ),
    ("ka.useragent", F::UserAgent, Arg::None, "user agent"),
    ("ka.sourceips", F::SourceIps, Arg::None, "source IPs (list)"),
    (
        "ka.cluster.name",
        F::ClusterName,
        Arg::None,
        "cluster name given to Palisade",
    ),
    (
        "jevt.value",
        F::JevtValue,
        Arg::Required,
        "the value at a JSON pointer in the event (objects and lists as JSON)",
    ),
    ("jevt.obj", F::JevtObj, Arg::None, "the whole event as JSON"),
    (
        "jevt.time",
        F::JevtTime,
        Arg::None,
        "event time (stageTimestamp)",
    ),
    (
        "jevt.rawtime",
        F::JevtRawtime,
        Arg::None,
        "event time (stageTimestamp) in nanoseconds since the epoch",
    ),
    (
        "jevt.time.iso8601",
        F::JevtTime,
        Arg::None,
        "event time (stageTimestamp)",
    ),
];

fn image<'a>(c: &'a Map<String, Json>) -> Option<Value<'a>> {
    c.get("image")
        .and_then(Json::as_str)
        .map(|i| Value::Str(Cow::Borrowed(i)))
}

fn privileged<'a>(c: &'a Map<String, Json>) -> Option<Value<'a>> {
    Some(Value::Bool(
        get(c, "securityContext")
            .and_then(|sc| sc.get("privileged"))
            .and_then(Json::as_bool)
            .unwrap_or(false),
    ))
}

/// The `k8s_audit` field schema.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditFields;

/// The rule `source` of Kubernetes audit rules.
pub const SOURCE: &str = "k8s_audit";

impl AuditFields {
    /// Every field name with its description.
    pub fn list() -> impl Iterator<Item = (&'static str, &'static str)> {
        FIELDS.iter().map(|(n, _, _, d)| (*n, *d))
    }
}

impl FieldSource for AuditFields {
    fn source(&self) -> &str {
        SOURCE
    }

    fn resolve(&self, name: &str, arg: Option<&str>) -> Result<FieldSpec, FieldError> {
        let Some(id) = FIELDS.iter().position(|(n, ..)| *n == name) else {
            return Err(FieldError::Unsupported(name.to_string()));
        };
        let (_, f, kind, _) = FIELDS[id];
        match (kind, arg) {
            (Arg::None, Some(_)) => {
                return Err(FieldError::Argument {
                    field: name.into(),
                    message: "takes no argument".into(),
                })
            }
            (Arg::Required, None) => {
                return Err(FieldError::Argument {
                    field: name.into(),
                    message: "needs an argument in brackets".into(),
                })
            }
            _ => {}
        }
        if f == F::JevtValue && !arg.is_some_and(|a| a.starts_with('/')) {
            return Err(FieldError::Argument {
                field: name.into(),
                message: "the argument is a JSON pointer starting with `/`".into(),
            });
        }
        Ok(FieldSpec {
            id: id as u32,
            arg: arg.map(Arc::from),
            name: Arc::from(name),
        })
    }

    fn index_field(&self) -> Option<&str> {
        Some("ka.target.resource")
    }
}

/// An audit event together with the name of the cluster it came from.
#[derive(Debug, Clone, Copy)]
pub struct AuditRecord<'a> {
    pub event: &'a AuditEvent,
    pub cluster: Option<&'a str>,
}

fn s(v: &str) -> Value<'_> {
    Value::Str(Cow::Borrowed(v))
}

fn one_str(v: Option<&str>) -> Values<'_> {
    v.map_or(Values::Missing, |v| Values::One(s(v)))
}

fn get<'a>(m: &'a Map<String, Json>, k: &str) -> Option<&'a Map<String, Json>> {
    m.get(k)?.as_object()
}

fn json_value(v: &Json) -> Value<'_> {
    match v {
        Json::String(x) => s(x),
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Str(Cow::Owned(n.to_string())),
        },
        other => Value::Str(Cow::Owned(other.to_string())),
    }
}

const POD_TEMPLATE_RESOURCES: &[&str] = &[
    "deployments",
    "daemonsets",
    "statefulsets",
    "replicasets",
    "jobs",
    "replicationcontrollers",
];

impl<'a> AuditRecord<'a> {
    fn request(&self) -> Option<&'a Map<String, Json>> {
        self.event.request_object()
    }

    /// The spec of a Service as written: the stored object the API server answered with when
    /// the event has it (a patch's request is only the patch: `{"spec":{"type":...}}`), else
    /// the request (create/update bodies, or a merge patch at `Request` level).
    fn service_spec(&self) -> Option<&'a Map<String, Json>> {
        if self.event.resource() != Some("services") || self.event.subresource().is_some() {
            return None;
        }
        let from_response = self
            .event
            .response_object()
            .filter(|r| r.get("kind").and_then(Json::as_str) == Some("Service"))
            .and_then(|r| get(r, "spec"));
        from_response.or_else(|| self.request().and_then(|r| get(r, "spec")))
    }

    fn service_ports(&self, key: &str) -> Values<'a> {
        match self.service_spec().and_then(|sp| sp.get("ports")) {
            Some(Json::Array(ports)) => Values::Many(
                ports
                    .iter()
                    .filter_map(|p| p.get(key))
                    .map(json_value)
                    .collect(),
            ),
            _ => Values::Missing,
        }
    }

    /// The pod spec in the request: a Pod's `spec`, or a workload's pod template spec.
    fn pod_spec(&self) -> Option<&'a Map<String, Json>> {
        let req = self.request()?;
        let resource = self.event.resource()?;
        let sub = self.event.subresource();
        let spec = get(req, "spec")?;
        match (resource, sub) {
            ("pods", None | Some("ephemeralcontainers")) => Some(spec),
            ("cronjobs", None) => get(
                get(get(get(spec, "jobTemplate")?, "spec")?, "template")?,
                "spec",
            ),
            ("podtemplates", None) => get(get(req, "template")?, "spec"),
            (r, None) if POD_TEMPLATE_RESOURCES.contains(&r) => get(get(spec, "template")?, "spec"),
            _ => None,
        }
    }

    fn containers(&self) -> Vec<&'a Map<String, Json>> {
        let Some(spec) = self.pod_spec() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for key in ["initContainers", "containers", "ephemeralContainers"] {
            if let Some(Json::Array(list)) = spec.get(key) {
                out.extend(list.iter().filter_map(Json::as_object));
            }
        }
        out
    }

    /// The containers of one list of the pod spec (`initContainers`, `ephemeralContainers`).
    fn listed_containers(&self, list: &str) -> Vec<&'a Map<String, Json>> {
        match self.pod_spec().and_then(|spec| spec.get(list)) {
            Some(Json::Array(items)) => items.iter().filter_map(Json::as_object).collect(),
            _ => Vec::new(),
        }
    }

    fn per_listed_container(
        &self,
        list: &str,
        f: impl Fn(&'a Map<String, Json>) -> Option<Value<'a>>,
    ) -> Values<'a> {
        match self.pod_spec() {
            None => Values::Missing,
            Some(_) => Values::Many(
                self.listed_containers(list)
                    .into_iter()
                    .filter_map(f)
                    .collect(),
            ),
        }
    }

    fn per_container(&self, f: impl Fn(&'a Map<String, Json>) -> Option<Value<'a>>) -> Values<'a> {
        let c = self.containers();
        if c.is_empty() {
            return Values::Missing;
        }
        Values::Many(c.into_iter().filter_map(f).collect())
    }

    fn security_context(c: &'a Map<String, Json>) -> Option<&'a Map<String, Json>> {
        get(c, "securityContext")
    }

    fn pod_security_int(&self, key: &str) -> Values<'a> {
        match self
            .pod_spec()
            .and_then(|s| get(s, "securityContext"))
            .and_then(|sc| sc.get(key))
        {
            Some(v) => Values::One(json_value(v)),
            None => Values::Missing,
        }
    }

    fn pod_bool(&self, key: &str) -> Values<'a> {
        match self.pod_spec() {
            None => Values::Missing,
            Some(spec) => Values::One(Value::Bool(
                spec.get(key).and_then(Json::as_bool).unwrap_or(false),
            )),
        }
    }

    fn volumes(&self) -> Vec<&'a Map<String, Json>> {
        match self.pod_spec().and_then(|s| s.get("volumes")) {
            Some(Json::Array(v)) => v.iter().filter_map(Json::as_object).collect(),
            _ => Vec::new(),
        }
    }

    fn role_rules(&self) -> Vec<&'a Map<String, Json>> {
        match self.request().and_then(|r| r.get("rules")) {
            Some(Json::Array(v)) => v.iter().filter_map(Json::as_object).collect(),
            _ => Vec::new(),
        }
    }

    fn role_rule_strings(&self, key: &str) -> Values<'a> {
        let rules = self.role_rules();
        if rules.is_empty() {
            return Values::Missing;
        }
        let mut out = Vec::new();
        for r in rules {
            if let Some(Json::Array(items)) = r.get(key) {
                out.extend(items.iter().map(json_value));
            }
        }
        Values::Many(out)
    }

    fn is_binding(&self) -> bool {
        matches!(
            self.event.resource(),
            Some("rolebindings" | "clusterrolebindings")
        )
    }

    fn str_list(v: Option<&'a Json>) -> Values<'a> {
        match v {
            Some(Json::Array(a)) => Values::Many(a.iter().map(json_value).collect()),
            _ => Values::Missing,
        }
    }

    fn effective(&self, key: &str) -> Values<'a> {
        let pod = self
            .pod_spec()
            .and_then(|s| get(s, "securityContext"))
            .and_then(|sc| sc.get(key))
            .and_then(Json::as_i64);
        self.per_container(|c| {
            let own = Self::security_context(c)
                .and_then(|sc| sc.get(key))
                .and_then(Json::as_i64);
            Some(Value::Int(own.or(pod).unwrap_or(0)))
        })
    }
}

/// `docker.io/library/nginx:1.25@sha256:...` → `docker.io/library/nginx`.
fn image_repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => &image[..i],
        _ => image,
    }
}

fn uri_param<'a>(uri: &'a str, name: &str) -> Option<Cow<'a, str>> {
    let query = uri.split_once('?')?.1;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == name {
            return Some(percent_decode(v));
        }
    }
    None
}

fn percent_decode(v: &str) -> Cow<'_, str> {
    if !v.contains('%') && !v.contains('+') {
        return Cow::Borrowed(v);
    }
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(x) => {
                        out.push(x);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

impl Event for AuditRecord<'_> {
    fn extract(&self, field: &FieldSpec) -> Values<'_> {
        let Some((_, f, _, _)) = FIELDS.get(field.id as usize) else {
            return Values::Missing;
        };
        let ev = self.event;
        let arg = field.arg.as_deref().unwrap_or("");
        match f {
            F::AuditId => one_str(ev.audit_id()),
            F::Stage => one_str(ev.stage()),
            F::AuthDecision => one_str(ev.annotation("authorization.k8s.io/decision")),
            F::AuthReason => one_str(ev.annotation("authorization.k8s.io/reason")),
            F::UserName => one_str(ev.user_name()),
            F::UserGroups => Values::Many(ev.user_groups().iter().map(|g| s(g)).collect()),
            F::ImpUserName => one_str(ev.impersonated_user()),
            F::Verb => one_str(Some(ev.verb())),
            F::Uri => one_str(ev.request_uri()),
            F::UriParam => match ev.request_uri().and_then(|u| uri_param(u, arg)) {
                Some(v) => Values::One(Value::Str(v)),
                None => Values::Missing,
            },
            F::TargetName => one_str(ev.name()),
            F::TargetNamespace => one_str(ev.namespace()),
            F::TargetResource => one_str(ev.resource()),
            F::TargetSubresource => one_str(ev.subresource()),
            F::TargetPodName => match ev.resource() {
                Some("pods") => one_str(ev.name()),
                _ => Values::Missing,
            },
            F::BindingSubjects | F::BindingSubjectHasName => {
                let subjects: Vec<&str> = match self.request().and_then(|r| r.get("subjects")) {
                    Some(Json::Array(a)) if self.is_binding() => a
                        .iter()
                        .filter_map(|s| s.get("name").and_then(Json::as_str))
                        .collect(),
                    _ if self.is_binding() && self.request().is_some() => Vec::new(),
                    _ => return Values::Missing,
                };
                if *f == F::BindingSubjectHasName {
                    Values::One(Value::Bool(subjects.contains(&arg)))
                } else {
                    Values::Many(subjects.into_iter().map(s).collect())
                }
            }
            F::BindingRole if self.is_binding() => one_str(
                self.request()
                    .and_then(|r| get(r, "roleRef"))
                    .and_then(|r| r.get("name"))
                    .and_then(Json::as_str),
            ),
            F::BindingRole => Values::Missing,
            F::ConfigMapName | F::ConfigMapObj if ev.resource() != Some("configmaps") => {
                Values::Missing
            }
            F::ConfigMapName => one_str(
                self.request()
                    .and_then(|r| get(r, "metadata"))
                    .and_then(|m| m.get("name"))
                    .and_then(Json::as_str),
            ),
            F::ConfigMapObj => match self.request().and_then(|r| r.get("data")) {
                Some(d) => Values::One(Value::Str(Cow::Owned(d.to_string()))),
                None => Values::Missing,
            },
            F::Images => self.per_container(|c| c.get("image").and_then(Json::as_str).map(s)),
            F::ImageRepositories => self.per_container(|c| {
                c.get("image")
                    .and_then(Json::as_str)
                    .map(|i| s(image_repository(i)))
            }),
            F::HostIpc => self.pod_bool("hostIPC"),
            F::HostNetwork => self.pod_bool("hostNetwork"),
            F::HostPid => self.pod_bool("hostPID"),
            F::HostPorts => {
                let c = self.containers();
                if c.is_empty() {
                    return Values::Missing;
                }
                let mut out = Vec::new();
                for c in c {
                    if let Some(Json::Array(ports)) = c.get("ports") {
                        out.extend(
                            ports
                                .iter()
                                .filter_map(|p| p.get("hostPort"))
                                .filter_map(Json::as_i64)
                                .map(Value::Int),
                        );
                    }
                }
                Values::Many(out)
            }
            F::Privileged => self.per_container(privileged),
            F::InitPrivileged => self.per_listed_container("initContainers", privileged),
            F::EphemeralPrivileged => self.per_listed_container("ephemeralContainers", privileged),
            F::InitImages => self.per_listed_container("initContainers", image),
            F::EphemeralImages => self.per_listed_container("ephemeralContainers", image),
            F::AllowPrivilegeEscalation => self.per_container(|c| {
                Some(Value::Bool(
                    Self::security_context(c)
                        .and_then(|sc| sc.get("allowPrivilegeEscalation"))
                        .and_then(Json::as_bool)
                        .unwrap_or(true),
                ))
            }),
            F::ReadOnlyFs => self.per_container(|c| {
                Some(Value::Bool(
                    Self::security_context(c)
                        .and_then(|sc| sc.get("readOnlyRootFilesystem"))
                        .and_then(Json::as_bool)
                        .unwrap_or(false),
                ))
            }),
            F::PodRunAsUser => self.pod_security_int("runAsUser"),
            F::PodRunAsGroup => self.pod_security_int("runAsGroup"),
            F::FsGroup => self.pod_security_int("fsGroup"),
            F::SupplementalGroups => Self::str_list(
                self.pod_spec()
                    .and_then(|s| get(s, "securityContext"))
                    .and_then(|sc| sc.get("supplementalGroups")),
            ),
            F::ContainersRunAsUser => self.per_container(|c| {
                Self::security_context(c)
                    .and_then(|sc| sc.get("runAsUser"))
                    .map(json_value)
            }),
            F::ContainersRunAsGroup => self.per_container(|c| {
                Self::security_context(c)
                    .and_then(|sc| sc.get("runAsGroup"))
                    .map(json_value)
            }),
            F::EffRunAsUser => self.effective("runAsUser"),
            F::EffRunAsGroup => self.effective("runAsGroup"),
            F::ProcMount => self.per_container(|c| {
                Some(s(Self::security_context(c)
                    .and_then(|sc| sc.get("procMount"))
                    .and_then(Json::as_str)
                    .unwrap_or("Default")))
            }),
            F::AddCapabilities => {
                let c = self.containers();
                if c.is_empty() {
                    return Values::Missing;
                }
                let mut out = Vec::new();
                for c in c {
                    if let Some(Json::Array(add)) = Self::security_context(c)
                        .and_then(|sc| get(sc, "capabilities"))
                        .and_then(|caps| caps.get("add"))
                    {
                        out.extend(add.iter().filter_map(Json::as_str).map(s));
                    }
                }
                Values::Many(out)
            }
            F::HostPaths => {
                if self.pod_spec().is_none() {
                    return Values::Missing;
                }
                Values::Many(
                    self.volumes()
                        .into_iter()
                        .filter_map(|v| get(v, "hostPath")?.get("path")?.as_str())
                        .map(s)
                        .collect(),
                )
            }
            F::SensitiveHostPaths => {
                if self.pod_spec().is_none() {
                    return Values::Missing;
                }
                Values::Many(
                    self.volumes()
                        .into_iter()
                        .filter_map(|v| get(v, "hostPath")?.get("path")?.as_str())
                        .filter(|p| palisade_model::host_paths::is_sensitive_host_path(p))
                        .map(|p| {
                            Value::Str(Cow::Owned(palisade_model::host_paths::normalize_host_path(
                                p,
                            )))
                        })
                        .collect(),
                )
            }
            F::VolumeHostPath => {
                if self.pod_spec().is_none() {
                    return Values::Missing;
                }
                let want = arg.trim_end_matches('/');
                let hit = self
                    .volumes()
                    .into_iter()
                    .filter_map(|v| get(v, "hostPath")?.get("path")?.as_str())
                    .any(|p| {
                        let p = p.trim_end_matches('/');
                        // The volume exposes `want` when it mounts it or a directory above it.
                        want == p || p.is_empty() || want.starts_with(&format!("{p}/"))
                    });
                Values::One(Value::Bool(hit))
            }
            F::FlexVolumeDrivers => {
                if self.pod_spec().is_none() {
                    return Values::Missing;
                }
                Values::Many(
                    self.volumes()
                        .into_iter()
                        .filter_map(|v| get(v, "flexVolume")?.get("driver")?.as_str())
                        .map(s)
                        .collect(),
                )
            }
            F::VolumeTypes => {
                if self.pod_spec().is_none() {
                    return Values::Missing;
                }
                Values::Many(
                    self.volumes()
                        .into_iter()
                        .flat_map(|v| v.keys().filter(|k| *k != "name").map(|k| s(k)))
                        .collect(),
                )
            }
            F::RoleRules => {
                let rules = self.role_rules();
                if rules.is_empty() {
                    return Values::Missing;
                }
                Values::Many(
                    rules
                        .into_iter()
                        .map(|r| Value::Str(Cow::Owned(Json::Object(r.clone()).to_string())))
                        .collect(),
                )
            }
            F::RoleRulesApiGroups => self.role_rule_strings("apiGroups"),
            F::RoleRulesNonResourceUrls => self.role_rule_strings("nonResourceURLs"),
            F::RoleRulesVerbs => self.role_rule_strings("verbs"),
            F::RoleRulesResources => self.role_rule_strings("resources"),
            F::ServiceType => one_str(
                self.service_spec()
                    .and_then(|sp| sp.get("type"))
                    .and_then(Json::as_str),
            ),
            F::ServicePorts => self.service_ports("port"),
            F::ServiceTargetPorts => self.service_ports("targetPort"),
            F::ServiceSourceRanges => match self
                .service_spec()
                .and_then(|sp| sp.get("loadBalancerSourceRanges"))
            {
                Some(Json::Array(r)) if !r.is_empty() => {
                    Values::Many(r.iter().filter_map(Json::as_str).map(s).collect())
                }
                _ => Values::Missing,
            },
            F::RespName => one_str(
                ev.response_object()
                    .and_then(|r| get(r, "metadata"))
                    .and_then(|m| m.get("name"))
                    .and_then(Json::as_str),
            ),
            F::ResponseCode => ev
                .response_code()
                .map_or(Values::Missing, |c| Values::One(Value::Int(c))),
            F::ResponseReason => one_str(ev.response_reason()),
            F::UserAgent => one_str(ev.user_agent()),
            F::SourceIps => Values::Many(ev.source_ips().iter().map(|ip| s(ip)).collect()),
            F::ClusterName => one_str(self.cluster),
            F::JevtValue => match ev.json().pointer(arg) {
                None | Some(Json::Null) => Values::Missing,
                Some(v) => Values::One(json_value(v)),
            },
            F::JevtObj => Values::One(s(ev.raw())),
            F::JevtTime => one_str(ev.timestamp()),
            F::JevtRawtime => ev
                .timestamp()
                .and_then(crate::alert::parse_rfc3339_micros)
                .map_or(Values::Missing, |us| {
                    Values::One(Value::Int(us.saturating_mul(1000)))
                }),
        }
    }

    fn index_key(&self) -> Option<&str> {
        self.event.resource()
    }
}
