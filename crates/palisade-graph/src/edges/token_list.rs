//! `token_list`: List service-account token secrets.
//!
//! The identity may get or list secrets where long-lived service-account token secrets exist:
//! it becomes those accounts. Fix: Remove read secrets from the role; delete legacy
//! kubernetes.io/service-account-token secrets (use TokenRequest). (After KubeHound.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "token_list",
    title: "List service-account token secrets",
    condition: "The identity may get or list secrets where long-lived service-account token secrets exist: it becomes those accounts.",
    evidence: "The identity, the rule, the token secret and the account.",
    mitre: "T1528",
    fix: "Remove read secrets from the role; delete legacy kubernetes.io/service-account-token secrets (use TokenRequest).",
    origin: "KubeHound",
    likelihood: 1.0,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [secrets], verbs: [list]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Secret\ntype: kubernetes.io/service-account-token\nmetadata: {name: admin-token, namespace: a, annotations: {kubernetes.io/service-account.name: admin}}\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [\"\"], resources: [secrets], verbs: [list]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: a}\n"),
    detect: |cx, out| {
        grants(cx, &["get", "list"], &[("", "secrets")], |id, ns, perm, _| {
            for s in cx.secrets.iter().filter(|s| s.secret_type == "kubernetes.io/service-account-token" && ns.is_none_or(|n| n == s.namespace)) {
                let Some(sa) = s.service_account.as_deref() else { continue };
                let Some(t) = cx.ids.find(crate::rbac::IdKind::ServiceAccount, Some(&s.namespace), sa) else { continue };
                let t = &cx.ids.list[t];
                out.push(id.node, t.node, format!("{} can read Secret {}/{} ({}), the token of {}", id.key(), s.namespace, s.name, perm.via, t.key()), format!("delete the legacy token Secret {}/{}", s.namespace, s.name));
            }
        });
    },
};
