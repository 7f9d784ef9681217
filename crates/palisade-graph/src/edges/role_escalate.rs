//! `role_escalate`: Escalate a role.
//!
//! The identity may escalate and update roles: it adds any permission to a role it holds. Fix:
//! Remove escalate from the role. (After IceKube.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "role_escalate",
    title: "Escalate a role",
    condition: "The identity may escalate and update roles: it adds any permission to a role it holds.",
    evidence: "The identity, the rules and the binding.",
    mitre: "T1098",
    fix: "Remove escalate from the role.",
    origin: "IceKube",
    likelihood: 1.0,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate, update]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [update]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    detect: |cx, out| {
        rbac_write(cx, out, "escalate");
    },
};
