//! `ce_cgroup_breakout`: CAP_SYS_ADMIN without privileged still mounts a cgroup v1 hierarchy
//! and sets `release_agent` (CVE-2022-0492 class): a command on the node. IceKube's
//! cgroup breakout.

use super::{container_label, escape, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "ce_cgroup_breakout",
    title: "cgroup release_agent breakout",
    condition: "A container that is not privileged adds SYS_ADMIN (or ALL).",
    evidence: "The container and its added capabilities.",
    mitre: "T1611",
    fix: "Remove SYS_ADMIN from securityContext.capabilities.add.",
    origin: "IceKube",
    likelihood: 0.7,
    fires: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x, securityContext: {capabilities: {add: [SYS_ADMIN]}}}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x, securityContext: {capabilities: {add: [CHOWN]}}}]}\n"),
    detect: |cx, out| {
        escape(cx, out, |w, c| {
            (!c.privileged && c.has_cap("SYS_ADMIN")).then(|| {
                (
                    format!("{} has CAP_SYS_ADMIN: it can mount a cgroup and set release_agent", container_label(w, c)),
                    format!("remove SYS_ADMIN from {}", container_label(w, c)),
                )
            })
        })
    },
};
