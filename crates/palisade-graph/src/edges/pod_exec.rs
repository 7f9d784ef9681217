//! `pod_exec`: Exec into a pod.
//!
//! The identity may create pods/exec: a shell in every container of the namespace. Fix: Remove
//! create pods/exec from the role. (After KubeHound.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "pod_exec",
    title: "Exec into a pod",
    condition: "The identity may create pods/exec: a shell in every container of the namespace.",
    evidence: "The identity, the rule, the binding and the containers.",
    mitre: "T1609",
    fix: "Remove create pods/exec from the role.",
    origin: "KubeHound",
    likelihood: 1.0,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [pods/exec], verbs: [create]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [pods/log], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    detect: |cx, out| {
        into_containers(cx, out, &["create"], &[("", "pods/exec")], "create");
    },
};
