//! `pod_patch`: Patch a pod.
//!
//! The identity may patch or update pods: it swaps a running container's image for its own and
//! runs with that pod's identity and mounts. Fix: Remove patch/update pods from the role.
//! (After KubeHound.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "pod_patch",
    title: "Patch a pod",
    condition: "The identity may patch or update pods: it swaps a running container's image for its own and runs with that pod's identity and mounts.",
    evidence: "The identity, the rule, the binding and the containers.",
    mitre: "T1609",
    fix: "Remove patch/update pods from the role.",
    origin: "KubeHound",
    likelihood: 0.8,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [patch]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    detect: |cx, out| {
        into_containers(cx, out, &["patch", "update"], &[("", "pods")], "patch");
    },
};
