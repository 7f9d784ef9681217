//! `pod_attach`: Attach to a pod.
//!
//! The identity may create pods/attach: the container's main process's terminal. Fix: Remove
//! create pods/attach from the role. (After KubeHound.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "pod_attach",
    title: "Attach to a pod",
    condition: "The identity may create pods/attach: the container's main process's terminal.",
    evidence: "The identity, the rule, the binding and the containers.",
    mitre: "T1609",
    fix: "Remove create pods/attach from the role.",
    origin: "KubeHound",
    likelihood: 0.8,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [pods/attach], verbs: [create]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [pods/status], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    detect: |cx, out| {
        into_containers(cx, out, &["create"], &[("", "pods/attach")], "create");
    },
};
