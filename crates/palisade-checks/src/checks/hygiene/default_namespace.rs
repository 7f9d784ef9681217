//! PAL-K8S-048 — Object in the default namespace.
//!
//! **What**: a namespaced object (other than the API server's own `kubernetes` Service and
//! Endpoints) in `default`, written there or left without a namespace.
//! **Why**: `default` mixes unrelated workloads: RBAC, quotas and network policies cannot
//! separate them, and it is where everyone has rights.
//! **Example** (fires): a Deployment without `metadata.namespace`.
//! **Remediation**: put each application in its own namespace.
//! **References**: CIS 5.7.1, 5.7.4; NSA/CISA "Namespaces"; ATT&CK T1078.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct DefaultNamespace;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-048",
    slug: "default_namespace",
    title: "Object in the default namespace",
    severity: Severity::Low,
    category: Category::Hygiene,
    frameworks: Frameworks {
        cis: &["5.7.1", "5.7.4"],
        nsa: &["Namespaces"],
        mitre: &["T1078"],
        ..Frameworks::NONE
    },
    rationale:
        "The default namespace gives no isolation boundary for RBAC, quotas or network policies.",
    remediation: "Set metadata.namespace to an application namespace.",
    patch: "metadata:\n  namespace: my-app\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"],
};

const KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Service",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "Ingress",
    "PersistentVolumeClaim",
    "NetworkPolicy",
];

impl Check for DefaultNamespace {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if !KINDS.contains(&o.kind.as_str()) || o.namespace_or_default() != Some("default") {
            return;
        }
        if o.name == "kubernetes" && matches!(o.kind.as_str(), "Service" | "Endpoints") {
            return;
        }
        let how = if o.namespace.is_some() {
            "is in"
        } else {
            "has no namespace, so it goes to"
        };
        out.push(
            Violation::new(
                format!("{} {how} the default namespace", o.kind),
                "/metadata/namespace",
            )
            .patch_at(""),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_in_default() {
        let f = run(&DefaultNamespace, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\n");
        assert_eq!(f.len(), 2);
        assert!(f[0].message.contains("no namespace"));
    }

    #[test]
    fn does_not_fire_elsewhere_or_cluster_scoped() {
        assert!(run(&DefaultNamespace, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n").is_empty());
    }
}
