//! PAL-DKR-011 — Container logs stay on the host (CIS Docker 2.13, level 2).
//!
//! **What**: the default log driver ships logs off the host (not `json-file`, `local` or `none`).
//! **Why**: Logs kept only on the host are lost with it and can be erased by an intruder.
//! **Example** (fires): log driver `json-file`.
//! **Remediation**: Set `log-driver` to a central collector (`syslog`, `journald` forwarded, `fluentd`, `gelf`, ...).
//! **References**: CIS Docker Benchmark v1.6.0 2.13.

use super::daemon_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct RemoteLogging;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-011",
    slug: "remote_logging",
    title: "Container logs stay on the host",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "2.13",
    level: 2,
    rationale: "Logs kept only on the host are lost with it and can be erased by an intruder.",
    remediation: "Set `log-driver` to a central collector (`syslog`, `journald` forwarded, `fluentd`, `gelf`, ...).",
    fix: "{\"log-driver\": \"syslog\", \"log-opts\": {\"syslog-address\": \"tcp://logs.example.com:514\"}}",
    references: &[super::CIS_DOCKER, "https://docs.docker.com/engine/logging/configure/"],
};

impl HostCheck for RemoteLogging {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        if !facts.has_docker() {
            return;
        }
        let driver = facts
            .info("/LoggingDriver")
            .and_then(|v| v.as_str().map(str::to_owned))
            .or_else(|| facts.daemon_str("log-driver", "log-driver"))
            .unwrap_or_else(|| "json-file".to_owned());
        if matches!(driver.as_str(), "json-file" | "local" | "none") {
            out.push(daemon_violation(
                facts,
                "log-driver",
                "log-driver",
                format!("the log driver is {driver:?}: logs stay on the host"),
            ));
        }
    }
}
