//! `cluster_admin`: Holds cluster-admin.
//!
//! The identity holds every verb on every resource of every API group cluster-wide. Fix: Bind a
//! narrower role; keep cluster-admin to break-glass identities. (After Palisade.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "cluster_admin",
    title: "Holds cluster-admin",
    condition: "The identity holds every verb on every resource of every API group cluster-wide.",
    evidence: "The identity and the binding.",
    mitre: "T1078",
    fix: "Bind a narrower role; keep cluster-admin to break-glass identities.",
    origin: "Palisade",
    likelihood: 1.0,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [\"*\"], resources: [\"*\"], verbs: [\"*\"]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"*\"], resources: [\"*\"], verbs: [\"*\"]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    detect: |cx, out| {
        for id in &cx.ids.list {
            if let Some(p) = id.perms.iter().find(|p| p.scope.is_none() && p.allows("*", "*", "*") && p.verbs.iter().any(|v| v == "*") && p.resources.iter().any(|r| r == "*") && p.groups.iter().any(|g| g == "*")) {
                out.push(id.node, cx.cluster, format!("{} holds every permission cluster-wide ({})", id.key(), p.via), format!("remove {}", p.binding));
            }
        }
    },
};
