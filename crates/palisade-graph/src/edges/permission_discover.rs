//! `permission_discover`: Discover permissions.
//!
//! The identity is bound to a role; it can list what the role grants (SelfSubjectRulesReview).
//! Fix: Remove the binding when the identity does not need the role. (After KubeHound.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "permission_discover",
    title: "Discover permissions",
    condition: "The identity is bound to a role; it can list what the role grants (SelfSubjectRulesReview).",
    evidence: "The identity and the role.",
    mitre: "T1069",
    fix: "Remove the binding when the identity does not need the role.",
    origin: "KubeHound",
    likelihood: 1.0,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: bot, namespace: a}\n"),
    detect: |cx, out| {
        for id in &cx.ids.list {
            for &r in &id.roles {
                out.push(id.node, r, format!("{} is bound to {}", id.key(), cx.g.node(r).key), format!("remove the binding of {} to {}", id.key(), cx.g.node(r).name));
            }
        }
    },
};
