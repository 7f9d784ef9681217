//! `pod_create`: Create a pod.
//!
//! The identity may create pods in a namespace; where Pod Security admission does not enforce
//! baseline or restricted, a privileged hostPID pod is root on a node; anywhere, a pod can run
//! as any service account of the namespace. Fix: Remove create pods from the role, or enforce
//! Pod Security baseline on the namespace. (After KubeHound.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "pod_create",
    title: "Create a pod",
    condition: "The identity may create pods in a namespace; where Pod Security admission does not enforce baseline or restricted, a privileged hostPID pod is root on a node; anywhere, a pod can run as any service account of the namespace.",
    evidence: "The identity, the rule, the binding that grants it and the namespace.",
    mitre: "T1610",
    fix: "Remove create pods from the role, or enforce Pod Security baseline on the namespace.",
    origin: "KubeHound",
    likelihood: 0.9,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [create]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [get, list]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    detect: |cx, out| {
        run_pod_edges(cx, out, &["create"], &[("", "pods")], "create");
    },
};
