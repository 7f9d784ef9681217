//! `nodes_proxy`: Kubelet API through nodes/proxy.
//!
//! The identity may get or create nodes/proxy cluster-wide: the kubelet API runs commands in
//! any pod of any node (and is not audited as pods/exec). Fix: Remove nodes/proxy from the
//! cluster role (monitoring needs nodes/metrics, not nodes/proxy). (After Palisade.)

use super::*;

pub static KIND: EdgeKind = EdgeKind {
    id: "nodes_proxy",
    title: "Kubelet API through nodes/proxy",
    condition: "The identity may get or create nodes/proxy cluster-wide: the kubelet API runs commands in any pod of any node (and is not audited as pods/exec).",
    evidence: "The identity, the rule and the binding.",
    mitre: "T1609",
    fix: "Remove nodes/proxy from the cluster role (monitoring needs nodes/metrics, not nodes/proxy).",
    origin: "Palisade",
    likelihood: 0.9,
    fires: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [\"\"], resources: [nodes/proxy], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    clean: Fixture::manifests("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [\"\"], resources: [nodes/metrics], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: bot, namespace: a}]\n"),
    detect: |cx, out| {
        grants(cx, &["get", "create"], &[("", "nodes/proxy")], |id, ns, perm, res| {
            if ns.is_some() {
                return;
            }
            for &n in &cx.nodes {
                out.push(id.node, n, format!("{} can get {res} cluster-wide ({})", id.key(), perm.via), format!("remove {res} from {}", perm.via));
            }
        });
    },
};
