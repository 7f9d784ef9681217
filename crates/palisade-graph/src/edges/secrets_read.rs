//! `secrets_read`: Read a namespace's secrets.
//!
//! The identity may get, list or watch secrets in a namespace (or cluster-wide). Fix: Remove
//! get/list/watch secrets from the role; grant resourceNames for the secrets needed. (After
//! KubeHound.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "secrets_read",
    title: "Read a namespace's secrets",
    condition: "The identity may get, list or watch secrets in a namespace (or cluster-wide).",
    evidence: "The identity, the rule, the binding and the namespaces.",
    mitre: "T1552.007",
    fix: "Remove get/list/watch secrets from the role; grant resourceNames for the secrets needed.",
    origin: "KubeHound",
    likelihood: 1.0,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [secrets], verbs: [list]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [configmaps], verbs: [list]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    detect: |cx, out| {
        grants(cx, &["get", "list", "watch"], &[("", "secrets")], |id, ns, perm, res| {
            for n in namespaces(cx, ns) {
                if let Some(x) = cx.ns(n) {
                    out.push(id.node, x.secrets, format!("{} can read {res} {} ({})", id.key(), scope_text(ns), perm.via), format!("remove read {res} from {}", perm.via));
                }
            }
        });
    },
};
