//! `identity_impersonate`: Impersonate.
//!
//! The identity may impersonate groups (then system:masters: cluster-admin), users or service
//! accounts, without resourceNames limits. Fix: Remove impersonate from the role, or limit it
//! with resourceNames. (After KubeHound.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "identity_impersonate",
    title: "Impersonate",
    condition: "The identity may impersonate groups (then system:masters: cluster-admin), users or service accounts, without resourceNames limits.",
    evidence: "The identity, the rule and the binding.",
    mitre: "T1078",
    fix: "Remove impersonate from the role, or limit it with resourceNames.",
    origin: "KubeHound",
    likelihood: 1.0,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [\"\"], resources: [groups], verbs: [impersonate]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [\"\"], resources: [groups], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    detect: |cx, out| {
        grants(cx, &["impersonate"], &[("", "groups")], |id, _, perm, _| {
            out.push(id.node, cx.cluster, format!("{} can impersonate any group, system:masters included ({})", id.key(), perm.via), format!("remove impersonate groups from {}", perm.via));
        });
        grants(cx, &["impersonate"], &[("", "users")], |id, _, perm, _| {
            for t in cx.ids.list.iter().filter(|t| t.kind == crate::rbac::IdKind::User && t.node != id.node) {
                out.push(id.node, t.node, format!("{} can impersonate {} ({})", id.key(), t.key(), perm.via), format!("remove impersonate users from {}", perm.via));
            }
        });
        grants(cx, &["impersonate"], &[("", "serviceaccounts")], |id, ns, perm, _| {
            for n in namespaces(cx, ns) {
                for sa in cx.service_accounts_in(n) {
                    let t = &cx.ids.list[sa];
                    if t.node != id.node {
                        out.push(id.node, t.node, format!("{} can impersonate {} ({})", id.key(), t.key(), perm.via), format!("remove impersonate serviceaccounts from {}", perm.via));
                    }
                }
            }
        });
    },
};
