//! PAL-DKR-314 — Restart policy is not on-failure with at most 5 retries (CIS Docker 5.15, level 1).
//!
//! **What**: the restart policy is `no` or `on-failure` with at most 5 retries.
//! **Why**: `always` / `unless-stopped` restart a crashing (or crashed by an attack) container forever, turning a fault into a denial of service.
//! **Example** (fires): `docker run --restart always`.
//! **Remediation**: Use `--restart on-failure:5`.
//! **References**: CIS Docker Benchmark v1.6.0 5.15.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct RestartPolicy;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-314",
    slug: "restart_policy",
    title: "Restart policy is not on-failure with at most 5 retries",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "5.15",
    level: 1,
    rationale: "`always` / `unless-stopped` restart a crashing (or crashed by an attack) container forever, turning a fault into a denial of service.",
    remediation: "Use `--restart on-failure:5`.",
    fix: "--restart on-failure:5",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for RestartPolicy {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/RestartPolicy", |c| {
            let name = c
                .host_config("RestartPolicy/Name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let retries = c
                .host_config("RestartPolicy/MaximumRetryCount")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            match name {
                "always" | "unless-stopped" => Some(format!("restart policy is {name}")),
                "on-failure" if retries > 5 || retries == 0 => Some(format!(
                    "restart policy is on-failure with {} retries",
                    if retries == 0 {
                        "unlimited".to_owned()
                    } else {
                        retries.to_string()
                    }
                )),
                _ => None,
            }
        });
    }
}
