//! `pod_ephemeral`: Add an ephemeral container.
//!
//! The identity may patch or update pods/ephemeralcontainers: a debug container of its choosing
//! inside a running pod, sharing its namespaces and volumes. Fix: Remove patch/update
//! pods/ephemeralcontainers from the role. (After Palisade.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "pod_ephemeral",
    title: "Add an ephemeral container",
    condition: "The identity may patch or update pods/ephemeralcontainers: a debug container of its choosing inside a running pod, sharing its namespaces and volumes.",
    evidence: "The identity, the rule, the binding and the containers.",
    mitre: "T1609",
    fix: "Remove patch/update pods/ephemeralcontainers from the role.",
    origin: "Palisade",
    likelihood: 0.9,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [pods/ephemeralcontainers], verbs: [patch]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [pods/ephemeralcontainers], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    detect: |cx, out| {
        into_containers(cx, out, &["patch", "update"], &[("", "pods/ephemeralcontainers")], "patch");
    },
};
