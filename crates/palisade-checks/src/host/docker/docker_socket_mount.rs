//! PAL-DKR-327 — Docker socket mounted into a container (CIS Docker 5.32, level 1).
//!
//! **What**: no container mounts the Docker (or containerd) socket.
//! **Why**: Whoever controls the socket can start a privileged container: a container with it is root on the host.
//! **Example** (fires): `docker run -v /var/run/docker.sock:/var/run/docker.sock`.
//! **Remediation**: Remove the mount; give tools that need Docker a restricted proxy or a rootless daemon.
//! **References**: CIS Docker Benchmark v1.6.0 5.32.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct DockerSocketMount;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-327",
    slug: "docker_socket_mount",
    title: "Docker socket mounted into a container",
    severity: Severity::Critical,
    benchmark: Benchmark::CisDocker,
    cis: "5.32",
    level: 1,
    rationale: "Whoever controls the socket can start a privileged container: a container with it is root on the host.",
    remediation: "Remove the mount; give tools that need Docker a restricted proxy or a rootless daemon.",
    fix: "(no -v /var/run/docker.sock)",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for DockerSocketMount {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/Mounts", |c| {
            let sockets: Vec<&str> = c
                .mounts()
                .iter()
                .filter_map(|m| m.get("Source").and_then(Value::as_str))
                .filter(|s| {
                    s.ends_with("docker.sock")
                        || s.ends_with("containerd.sock")
                        || *s == "/run"
                        || *s == "/var/run"
                })
                .collect();
            (!sockets.is_empty()).then(|| {
                format!(
                    "mounts the container runtime socket: {}",
                    sockets.join(", ")
                )
            })
        });
    }
}
