//! Exposure: what is reachable from outside the cluster.

pub mod admin_ui_exposed;
pub mod external_ips;
pub mod ingress_snippets;
pub mod ingress_without_tls;
pub mod load_balancer_source_ranges;
pub mod node_port;
pub mod sensitive_port_exposed;

use palisade_k8s::Object;

pub(crate) const SERVICE_DOC: &str =
    "https://kubernetes.io/docs/concepts/services-networking/service/";

/// `spec.type` of a core Service (`ClusterIP` when unset); `None` for other objects.
pub(crate) fn service_type(o: &Object) -> Option<&str> {
    if o.kind != "Service" || o.group() != "" {
        return None;
    }
    Some(
        o.pointer("/spec/type")
            .and_then(|t| t.as_str())
            .unwrap_or("ClusterIP"),
    )
}

#[cfg(test)]
pub(crate) fn service(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: web\nspec:\n{spec}"
    )
}
