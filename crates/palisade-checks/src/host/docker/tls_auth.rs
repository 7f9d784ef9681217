//! PAL-DKR-006 — Docker API on TCP without TLS client authentication (CIS Docker 2.7, level 1).
//!
//! **What**: every `tcp://` host the daemon listens on has `tlsverify` with a CA, a certificate and a key.
//! **Why**: The Docker API is root on the host: anyone who reaches an unauthenticated TCP socket owns the machine.
//! **Example** (fires): `dockerd -H tcp://0.0.0.0:2375`.
//! **Remediation**: Listen on the unix socket only, or set `tlsverify`, `tlscacert`, `tlscert` and `tlskey`.
//! **References**: CIS Docker Benchmark v1.6.0 2.7.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct TlsAuth;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-006",
    slug: "tls_auth",
    title: "Docker API on TCP without TLS client authentication",
    severity: Severity::Critical,
    benchmark: Benchmark::CisDocker,
    cis: "2.7",
    level: 1,
    rationale: "The Docker API is root on the host: anyone who reaches an unauthenticated TCP socket owns the machine.",
    remediation: "Listen on the unix socket only, or set `tlsverify`, `tlscacert`, `tlscert` and `tlskey`.",
    fix: "{\"tlsverify\": true, \"tlscacert\": \"/etc/docker/ca.pem\", \"tlscert\": \"/etc/docker/server.pem\", \"tlskey\": \"/etc/docker/server-key.pem\"}",
    references: &[super::CIS_DOCKER, "https://docs.docker.com/engine/security/protect-access/"],
};

impl HostCheck for TlsAuth {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        let tcp: Vec<String> = facts
            .daemon_list("host", "hosts")
            .into_iter()
            .filter(|h| h.starts_with("tcp://"))
            .collect();
        if tcp.is_empty() {
            return;
        }
        let verify = facts.daemon_bool("tlsverify", "tlsverify") == Some(true);
        let missing: Vec<&str> = ["tlscacert", "tlscert", "tlskey"]
            .into_iter()
            .filter(|k| facts.daemon_str(k, k).is_none())
            .collect();
        if !verify || !missing.is_empty() {
            let why = if verify {
                format!("tlsverify is on but {} not set", missing.join(", "))
            } else {
                "tlsverify is off".to_owned()
            };
            out.push(daemon_violation(
                facts,
                "host",
                "hosts",
                format!("the API listens on {} and {why}", tcp.join(", ")),
            ));
        }
    }
}
