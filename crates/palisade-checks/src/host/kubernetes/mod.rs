//! CIS Kubernetes Benchmark v1.10 node and control-plane checks, one file each: the kubelet
//! (section 4.2: its `--config` file and flags, flags winning as in the kubelet), the API
//! server, controller manager and scheduler (1.2, 1.3, 1.4) and etcd (2) as their static pod
//! manifests declare them.

pub mod apiserver_always_admit;
pub mod apiserver_always_allow;
pub mod apiserver_anonymous_auth;
pub mod apiserver_audit_log_maxage;
pub mod apiserver_audit_log_maxbackup;
pub mod apiserver_audit_log_maxsize;
pub mod apiserver_audit_log_path;
pub mod apiserver_client_ca;
pub mod apiserver_encryption;
pub mod apiserver_etcd_ca;
pub mod apiserver_etcd_client_cert;
pub mod apiserver_kubelet_ca;
pub mod apiserver_kubelet_client_cert;
pub mod apiserver_namespace_lifecycle;
pub mod apiserver_node_authorizer;
pub mod apiserver_node_restriction;
pub mod apiserver_profiling;
pub mod apiserver_rbac;
pub mod apiserver_service_account_admission;
pub mod apiserver_service_account_key;
pub mod apiserver_service_account_lookup;
pub mod apiserver_tls;
pub mod apiserver_token_auth_file;
pub mod controller_manager_bind_address;
pub mod controller_manager_profiling;
pub mod controller_manager_root_ca;
pub mod controller_manager_rotate_server_cert;
pub mod controller_manager_sa_credentials;
pub mod controller_manager_sa_key;
pub mod etcd_auto_tls;
pub mod etcd_client_cert_auth;
pub mod etcd_peer_auto_tls;
pub mod etcd_peer_client_cert_auth;
pub mod etcd_peer_tls;
pub mod etcd_tls;
pub mod kubelet_anonymous_auth;
pub mod kubelet_authorization_mode;
pub mod kubelet_client_ca;
pub mod kubelet_event_qps;
pub mod kubelet_hostname_override;
pub mod kubelet_iptables_chains;
pub mod kubelet_pod_pids;
pub mod kubelet_read_only_port;
pub mod kubelet_rotate_certificates;
pub mod kubelet_rotate_server_certificate;
pub mod kubelet_streaming_timeout;
pub mod kubelet_tls_ciphers;
pub mod kubelet_tls_files;
pub mod scheduler_bind_address;
pub mod scheduler_profiling;

use serde_json::Value;

use crate::host::check::{HostViolation, SubjectKind};
use crate::host::facts::{HostFacts, StaticPod};

pub const CIS_KUBERNETES: &str = "https://www.cisecurity.org/benchmark/kubernetes";
pub const KUBELET_CONFIG_DOC: &str =
    "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/";
pub const KUBELET_FLAGS_DOC: &str =
    "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/";
pub const APISERVER_DOC: &str =
    "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/";
pub const ETCD_DOC: &str = "https://etcd.io/docs/latest/op-guide/security/";

/// A kubelet setting: its flag (wins) or its field in the configuration file, as text.
pub fn kubelet_value(facts: &HostFacts, flag: &str, pointer: &str) -> Option<String> {
    let k = facts.kubelet.as_ref()?;
    if let Some(p) = &k.process {
        if let Some(v) = p.values(flag).pop() {
            return Some(v);
        }
        if let Some(b) = p.boolean(flag) {
            return Some(b.to_string());
        }
    }
    let v = k.config.as_ref()?.get(pointer)?;
    Some(match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    })
}

/// Whether the kubelet reads a configuration file (its defaults differ from the flags').
pub fn kubelet_has_config(facts: &HostFacts) -> bool {
    facts.kubelet.as_ref().is_some_and(|k| k.config.is_some())
}

/// A kubelet violation, located at the flag or the configuration field.
pub fn kubelet_violation(
    facts: &HostFacts,
    flag: &str,
    pointer: &str,
    message: impl Into<String>,
) -> Option<HostViolation> {
    let k = facts.kubelet.as_ref()?;
    let on_flag = k
        .process
        .as_ref()
        .filter(|p| !p.values(flag).is_empty() || p.boolean(flag).is_some());
    let location = match (on_flag, &k.config, &k.process) {
        (Some(p), _, _) => (p.line(), 1),
        (None, Some(c), _) => (c.path.clone(), c.line_of(pointer)),
        (None, None, Some(p)) => (p.line(), 1),
        (None, None, None) => return None,
    };
    Some(HostViolation::new(
        SubjectKind::Kubelet,
        "kubelet",
        message,
        location,
        pointer.trim_start_matches('/'),
    ))
}

/// Runs `f` on every static pod of `component`; `Some(message)` is a violation at `flag`.
pub fn per_component(
    facts: &HostFacts,
    component: &str,
    flag: &str,
    out: &mut Vec<HostViolation>,
    f: impl Fn(&StaticPod) -> Option<String>,
) {
    for pod in facts
        .static_pods
        .iter()
        .filter(|p| p.component == component)
    {
        if let Some(message) = f(pod) {
            out.push(HostViolation::new(
                SubjectKind::StaticPod,
                pod.component.clone(),
                message,
                pod.location(flag),
                format!("--{flag}"),
            ));
        }
    }
}

/// The last value of a flag of a static pod (the one the component keeps).
pub fn flag(pod: &StaticPod, name: &str) -> Option<String> {
    pod.args.values(name).pop()
}

/// A comma-separated flag's items.
pub fn flag_list(pod: &StaticPod, name: &str) -> Vec<String> {
    flag(pod, name)
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default()
}

/// The cipher suites the benchmark calls strong (4.2.12).
pub const STRONG: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
];
