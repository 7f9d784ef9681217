//! `identity_assume`: a container with a mounted service-account token acts as that account
//! (`/var/run/secrets/kubernetes.io/serviceaccount/token`). KubeHound's IDENTITY_ASSUME.

use super::{container_label, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "identity_assume",
    title: "Use the pod's service-account token",
    condition: "The pod mounts a service-account token (automountServiceAccountToken is not false on the pod, nor on its ServiceAccount).",
    evidence: "The container and the service account.",
    mitre: "T1078.001",
    fix: "Set automountServiceAccountToken: false on the pod (or the ServiceAccount) when it does not call the API.",
    origin: "KubeHound",
    likelihood: 1.0,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {serviceAccountName: app, containers: [{name: c, image: x}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: a}\nautomountServiceAccountToken: false\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {serviceAccountName: app, containers: [{name: c, image: x}]}\n"),
    detect: |cx, out| {
        for w in &cx.workloads {
            if !w.token_mounted(&cx.ids) {
                continue;
            }
            let sa = &cx.ids.list[w.sa];
            for c in &w.containers {
                out.push(
                    c.node,
                    sa.node,
                    format!("{} has the token of {} mounted", container_label(w, c), sa.key()),
                    format!("set automountServiceAccountToken: false on {}", w.display),
                );
            }
        }
    },
};
