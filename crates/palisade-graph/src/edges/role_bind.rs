//! `role_bind`: Bind a role.
//!
//! The identity may create or change role bindings and bind roles: it binds itself to cluster-
//! admin (cluster-wide) or admin (in a namespace). Fix: Remove bind (and write on rolebindings)
//! from the role. (After IceKube.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "role_bind",
    title: "Bind a role",
    condition: "The identity may create or change role bindings and bind roles: it binds itself to cluster-admin (cluster-wide) or admin (in a namespace).",
    evidence: "The identity, both rules and the bindings.",
    mitre: "T1098",
    fix: "Remove bind (and write on rolebindings) from the role.",
    origin: "IceKube",
    likelihood: 1.0,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings, clusterroles], verbs: [create, bind]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [create]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    detect: |cx, out| {
        rbac_write(cx, out, "bind");
    },
};
