//! `workload_patch`: Patch a workload.
//!
//! The identity may patch or update workload controllers: it rewrites their pod template
//! (privileged, hostPID, another service account). Fix: Remove patch/update on workload
//! resources from the role, or enforce Pod Security baseline on the namespace. (After
//! KubeHound.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "workload_patch",
    title: "Patch a workload",
    condition: "The identity may patch or update workload controllers: it rewrites their pod template (privileged, hostPID, another service account).",
    evidence: "The identity, the rule, the binding and the namespace.",
    mitre: "T1610",
    fix: "Remove patch/update on workload resources from the role, or enforce Pod Security baseline on the namespace.",
    origin: "KubeHound",
    likelihood: 0.9,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [apps], resources: [daemonsets], verbs: [patch]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [apps], resources: [daemonsets], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    detect: |cx, out| {
        run_pod_edges(cx, out, &["patch", "update"], WORKLOAD_RESOURCES, "patch");
    },
};
