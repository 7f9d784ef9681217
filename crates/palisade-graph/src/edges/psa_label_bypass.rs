//! `psa_label_bypass`: Pod Security label bypass.
//!
//! The identity may patch namespaces and create pods (or workloads) in a namespace where Pod
//! Security admission enforces baseline or restricted: it removes the label, then creates a
//! privileged pod. Fix: Remove patch/update namespaces from the role (or protect the label with
//! a ValidatingAdmissionPolicy). (After IceKube.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "psa_label_bypass",
    title: "Pod Security label bypass",
    condition: "The identity may patch namespaces and create pods (or workloads) in a namespace where Pod Security admission enforces baseline or restricted: it removes the label, then creates a privileged pod.",
    evidence: "The identity, both rules and the namespace label.",
    mitre: "T1562.001",
    fix: "Remove patch/update namespaces from the role (or protect the label with a ValidatingAdmissionPolicy).",
    origin: "IceKube",
    likelihood: 0.85,
    fires: Fixture::manifests("apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {pod-security.kubernetes.io/enforce: restricted}}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [\"\"], resources: [namespaces], verbs: [patch]}, {apiGroups: [\"\"], resources: [pods], verbs: [create]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {pod-security.kubernetes.io/enforce: restricted}}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [\"\"], resources: [namespaces], verbs: [get]}, {apiGroups: [\"\"], resources: [pods], verbs: [create]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    detect: |cx, out| {
        for id in &cx.ids.list {
            let Some(patch) = id.grant(&["patch", "update"], "", "namespaces").cluster else { continue };
            let mut create = id.grant(&["create"], "", "pods");
            if create.is_empty() {
                create = id.grant(&["create"], "apps", "deployments");
            }
            let blocked = cx.grant_namespaces(&create).into_iter().find(|(n, _)| cx.ns(n).is_some_and(|x| x.psa_blocks_privileged()));
            if let Some((n, p)) = blocked {
                for &node in &cx.nodes {
                    out.push(id.node, node, format!("{} can patch namespaces ({}) to remove the Pod Security label of {n}, and create pods there ({})", id.key(), patch.via, p.via), format!("remove patch namespaces from {}", patch.via));
                }
            }
        }
    },
};
