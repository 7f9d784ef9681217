//! `workload_create`: Create a workload.
//!
//! The identity may create deployments, daemonsets, statefulsets, replicasets, jobs, cronjobs
//! or replication controllers; their pods are as good as pods it creates. Fix: Remove create on
//! workload resources from the role, or enforce Pod Security baseline on the namespace. (After
//! IceKube.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "workload_create",
    title: "Create a workload",
    condition: "The identity may create deployments, daemonsets, statefulsets, replicasets, jobs, cronjobs or replication controllers; their pods are as good as pods it creates.",
    evidence: "The identity, the rule, the binding and the namespace.",
    mitre: "T1610",
    fix: "Remove create on workload resources from the role, or enforce Pod Security baseline on the namespace.",
    origin: "IceKube",
    likelihood: 0.9,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [apps], resources: [deployments], verbs: [create]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [apps], resources: [deployments], verbs: [get, list, watch]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    detect: |cx, out| {
        run_pod_edges(cx, out, &["create"], WORKLOAD_RESOURCES, "create");
    },
};
