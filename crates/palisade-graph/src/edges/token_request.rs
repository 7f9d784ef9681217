//! `token_request`: Request a service-account token.
//!
//! The identity may create serviceaccounts/token: a token for any service account of the
//! namespace. Fix: Remove create serviceaccounts/token from the role. (After IceKube.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "token_request",
    title: "Request a service-account token",
    condition: "The identity may create serviceaccounts/token: a token for any service account of the namespace.",
    evidence: "The identity, the rule, the binding and the account.",
    mitre: "T1528",
    fix: "Remove create serviceaccounts/token from the role.",
    origin: "IceKube",
    likelihood: 1.0,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [serviceaccounts/token], verbs: [create]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: admin, namespace: a}\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [serviceaccounts], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: admin, namespace: a}\n"),
    detect: |cx, out| {
        grants(cx, &["create"], &[("", "serviceaccounts/token")], |id, ns, perm, res| {
            for n in namespaces(cx, ns) {
                for sa in cx.service_accounts_in(n) {
                    let t = &cx.ids.list[sa];
                    if t.node != id.node {
                        out.push(id.node, t.node, format!("{} can create {res} for {} ({})", id.key(), t.key(), perm.via), format!("remove create {res} from {}", perm.via));
                    }
                }
            }
        });
    },
};
