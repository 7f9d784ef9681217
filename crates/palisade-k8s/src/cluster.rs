//! A live cluster as a source: every object kind a posture scan reads, listed through the
//! Kubernetes API (kube + k8s-openapi), in pages, with rate limits honoured.
//!
//! - Credentials: a kubeconfig (`--kubeconfig`, else `$KUBECONFIG` / `~/.kube/config`, with
//!   `--context`), or the in-cluster service account when there is no kubeconfig.
//! - Secrets and config maps are listed as metadata only (`PartialObjectMetadataList`): their
//!   values are never requested, so they are never held or stored. The one annotation that
//!   copies an object's content (`kubectl.kubernetes.io/last-applied-configuration`) keeps its key
//!   and loses its value.
//! - A kind the credentials may not list (403) becomes a [`CoverageGap`], not an error: the scan
//!   goes on and says what it could not see. 429 and 5xx answers are retried with back-off.
//! - Objects get the location `cluster:<context>/<kind>/<namespace>/<name>` and line 0.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::{
    admissionregistration::v1::{MutatingWebhookConfiguration, ValidatingWebhookConfiguration},
    apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet},
    batch::v1::{CronJob, Job},
    core::v1::{ConfigMap, Namespace, Node, Pod, Secret, Service, ServiceAccount},
    networking::v1::{Ingress, NetworkPolicy},
    rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding},
};
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value;

use crate::lines::Lines;
use crate::object::Object;

/// Objects per page; the API server may return fewer.
const PAGE_SIZE: u32 = 500;
/// Attempts per page when the server answers 429 or 5xx.
const ATTEMPTS: u32 = 5;
/// The annotation `kubectl apply` fills with the whole object, secret values included.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    pub kubeconfig: Option<std::path::PathBuf>,
    pub context: Option<String>,
}

/// A kind the scan could not list, and why (shown as a coverage gap).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CoverageGap {
    pub kind: String,
    pub status: u16,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct ClusterLoad {
    /// The context (or `in-cluster`) the objects came from.
    pub context: String,
    pub objects: Vec<Object>,
    pub gaps: Vec<CoverageGap>,
    /// API requests made (pages included).
    pub requests: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("reading the kubeconfig: {0}")]
    Kubeconfig(String),
    #[error("connecting to the cluster: {0}")]
    Client(String),
    #[error("listing {kind}: {message}")]
    List { kind: String, message: String },
}

/// Lists every kind a posture scan reads from the cluster `options` name.
pub async fn load_cluster(options: &ClusterOptions) -> Result<ClusterLoad, ClusterError> {
    let (config, context) = config(options).await?;
    let client = kube::Client::try_from(config).map_err(|e| ClusterError::Client(e.to_string()))?;
    let mut load = ClusterLoad {
        context: context.clone(),
        ..ClusterLoad::default()
    };
    let file: Arc<str> = Arc::from(format!("cluster:{context}"));
    macro_rules! full {
        ($($ty:ty => $kind:literal),* $(,)?) => {
            $( list_full::<$ty>(&client, $kind, &file, &mut load).await?; )*
        };
    }
    full!(
        Namespace => "Namespace",
        Node => "Node",
        Pod => "Pod",
        Deployment => "Deployment",
        StatefulSet => "StatefulSet",
        DaemonSet => "DaemonSet",
        ReplicaSet => "ReplicaSet",
        Job => "Job",
        CronJob => "CronJob",
        Service => "Service",
        Ingress => "Ingress",
        NetworkPolicy => "NetworkPolicy",
        ServiceAccount => "ServiceAccount",
        Role => "Role",
        ClusterRole => "ClusterRole",
        RoleBinding => "RoleBinding",
        ClusterRoleBinding => "ClusterRoleBinding",
        ValidatingWebhookConfiguration => "ValidatingWebhookConfiguration",
        MutatingWebhookConfiguration => "MutatingWebhookConfiguration",
    );
    list_metadata::<Secret>(&client, "Secret", "v1", &file, &mut load).await?;
    list_metadata::<ConfigMap>(&client, "ConfigMap", "v1", &file, &mut load).await?;
    Ok(load)
}

async fn config(options: &ClusterOptions) -> Result<(kube::Config, String), ClusterError> {
    let kubeconfig = match &options.kubeconfig {
        Some(path) => {
            Some(Kubeconfig::read_from(path).map_err(|e| ClusterError::Kubeconfig(e.to_string()))?)
        }
        None => Kubeconfig::read().ok(),
    };
    match kubeconfig {
        Some(kubeconfig) => {
            let context = options
                .context
                .clone()
                .or_else(|| kubeconfig.current_context.clone())
                .unwrap_or_default();
            let kube_options = KubeConfigOptions {
                context: options.context.clone(),
                ..KubeConfigOptions::default()
            };
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &kube_options)
                .await
                .map_err(|e| ClusterError::Kubeconfig(e.to_string()))?;
            Ok((config, context))
        }
        None => {
            let config = kube::Config::incluster().map_err(|e| {
                ClusterError::Kubeconfig(format!("no kubeconfig, and not in a cluster: {e}"))
            })?;
            Ok((config, "in-cluster".into()))
        }
    }
}

/// What to do with a failed page request.
enum Failure {
    /// 403 (and 404: the kind is not served by this cluster): a coverage gap.
    Gap(CoverageGap),
    Retry,
    Fatal(String),
}

fn classify(kind: &str, error: &kube::Error) -> Failure {
    match error {
        kube::Error::Api(status) => {
            let code = status.code;
            match code {
                403 | 404 => Failure::Gap(CoverageGap {
                    kind: kind.to_string(),
                    status: code,
                    reason: status.message.clone(),
                }),
                429 | 500..=599 => Failure::Retry,
                _ => Failure::Fatal(format!("{} ({code})", status.message)),
            }
        }
        other => Failure::Fatal(other.to_string()),
    }
}

/// One page, with retries; `Ok(None)` when the kind turned out to be a coverage gap.
async fn page<T, F, Fut>(
    kind: &str,
    load: &mut ClusterLoad,
    mut request: F,
) -> Result<Option<T>, ClusterError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, kube::Error>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        load.requests += 1;
        match request().await {
            Ok(list) => return Ok(Some(list)),
            Err(error) => match classify(kind, &error) {
                Failure::Gap(gap) => {
                    tracing::warn!("cannot list {kind}: {}", gap.reason);
                    load.gaps.push(gap);
                    return Ok(None);
                }
                Failure::Retry if attempt < ATTEMPTS => {
                    let wait = Duration::from_millis(200 << attempt);
                    tracing::info!("listing {kind}: {error}; retrying in {wait:?}");
                    tokio::time::sleep(wait).await;
                }
                Failure::Retry => {
                    return Err(ClusterError::List {
                        kind: kind.to_string(),
                        message: format!("{error} (after {ATTEMPTS} attempts)"),
                    })
                }
                Failure::Fatal(message) => {
                    return Err(ClusterError::List {
                        kind: kind.to_string(),
                        message,
                    })
                }
            },
        }
    }
}

async fn list_full<K>(
    client: &kube::Client,
    kind: &str,
    file: &Arc<str>,
    load: &mut ClusterLoad,
) -> Result<(), ClusterError>
where
    K: kube::Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + serde::Serialize,
    K::DynamicType: Default,
{
    let api: Api<K> = Api::all(client.clone());
    let mut token: Option<String> = None;
    loop {
        let params = params(&token);
        let Some(list) = page(kind, load, || api.list(&params)).await? else {
            return Ok(());
        };
        for item in list.items {
            match serde_json::to_value(&item) {
                Ok(value) => push(load, value, kind, file),
                Err(e) => tracing::warn!("{kind}: cannot encode an item: {e}"),
            }
        }
        token = list.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(());
        }
    }
}

async fn list_metadata<K>(
    client: &kube::Client,
    kind: &str,
    api_version: &str,
    file: &Arc<str>,
    load: &mut ClusterLoad,
) -> Result<(), ClusterError>
where
    K: kube::Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned,
    K::DynamicType: Default,
{
    let api: Api<K> = Api::all(client.clone());
    let mut token: Option<String> = None;
    loop {
        let params = params(&token);
        let Some(list) = page(kind, load, || api.list_metadata(&params)).await? else {
            return Ok(());
        };
        for item in list.items {
            let mut metadata = serde_json::to_value(&item.metadata).unwrap_or(Value::Null);
            if let Some(annotations) = metadata
                .get_mut("annotations")
                .and_then(Value::as_object_mut)
            {
                if let Some(value) = annotations.get_mut(LAST_APPLIED) {
                    *value = Value::String("<redacted by palisade>".into());
                }
            }
            let value = serde_json::json!({
                "apiVersion": api_version,
                "kind": kind,
                "metadata": metadata,
            });
            push(load, value, kind, file);
        }
        token = list.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(());
        }
    }
}

fn params(token: &Option<String>) -> ListParams {
    let params = ListParams::default().limit(PAGE_SIZE);
    match token {
        Some(t) => params.continue_token(t),
        None => params,
    }
}

fn push(load: &mut ClusterLoad, mut value: Value, kind: &str, file: &Arc<str>) {
    // List items may lack their type: set it from the list's kind.
    if let Some(map) = value.as_object_mut() {
        map.entry("kind")
            .or_insert_with(|| Value::String(kind.into()));
    }
    let name = value
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let namespace = value
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("-")
        .to_string();
    let location: Arc<str> = Arc::from(format!("{file}/{kind}/{namespace}/{name}"));
    match Object::from_value(value, Lines::leaf(0), location) {
        Ok(object) => load.objects.push(object),
        Err(e) => tracing::warn!("{kind}/{namespace}/{name}: {e}"),
    }
}
