//! `volume_access`: a container reads the secrets mounted into it or passed in its
//! environment. KubeHound's VOLUME_ACCESS, limited to secrets.

use super::{container_label, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "volume_access",
    title: "Read a mounted secret",
    condition: "A container mounts a secret volume, or reads a secret through env (secretKeyRef, envFrom), of a Secret in the inputs.",
    evidence: "The container, the secret and how it gets there.",
    mitre: "T1552.007",
    fix: "Mount only the secrets the container needs; prefer short-lived credentials.",
    origin: "KubeHound",
    likelihood: 1.0,
    fires: Fixture::manifests("apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {volumes: [{name: s, secret: {secretName: db}}], containers: [{name: c, image: x, volumeMounts: [{name: s, mountPath: /s}]}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n"),
    detect: |cx, out| {
        for w in &cx.workloads {
            for c in &w.containers {
                let mut names: Vec<(&str, &str)> = c
                    .mounts
                    .iter()
                    .filter_map(|m| Some((w.volumes[m.volume].secret.as_deref()?, "volume")))
                    .collect();
                names.extend(c.env_secrets.iter().map(|s| (s.as_str(), "env")));
                for (name, how) in names {
                    if let Some(s) = cx.secrets.iter().find(|s| s.namespace == w.namespace && s.name == name) {
                        out.push(
                            c.node,
                            s.node,
                            format!("{} reads Secret {}/{name} through its {how}", container_label(w, c), w.namespace),
                            format!("stop passing Secret {name} to {}", w.display),
                        );
                    }
                }
            }
        }
    },
};
