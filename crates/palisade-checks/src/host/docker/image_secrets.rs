//! PAL-DKR-206 — Secrets in the image configuration or history (CIS Docker 4.10, level 1).
//!
//! **What**: no environment variable or history step of the image carries a value for a secret-looking name (password, secret, token, private key, access key).
//! **Why**: Everyone who can pull the image can read its history and environment.
//! **Example** (fires): `ENV DB_PASSWORD=hunter2`.
//! **Remediation**: Pass secrets at run time (secrets, mounted files) or with BuildKit `--mount=type=secret`; rebuild without them.
//! **References**: CIS Docker Benchmark v1.6.0 4.10.

use super::created_by;
use super::{image_violation, secret_name};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct ImageSecrets;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-206",
    slug: "image_secrets",
    title: "Secrets in the image configuration or history",
    severity: Severity::High,
    benchmark: Benchmark::CisDocker,
    cis: "4.10",
    level: 1,
    rationale: "Everyone who can pull the image can read its history and environment.",
    remediation: "Pass secrets at run time (secrets, mounted files) or with BuildKit `--mount=type=secret`; rebuild without them.",
    fix: "RUN --mount=type=secret,id=token ...",
    references: &[super::CIS_DOCKER, "https://docs.docker.com/build/building/secrets/"],
};

impl HostCheck for ImageSecrets {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        for image in &facts.images {
            let env = image
                .inspect
                .pointer("/Config/Env")
                .and_then(Value::as_array);
            for (i, e) in env.into_iter().flatten().enumerate() {
                let Some((name, value)) = e.as_str().and_then(|e| e.split_once('=')) else {
                    continue;
                };
                if secret_name(name) && !value.is_empty() {
                    out.push(image_violation(
                        image,
                        format!("environment variable {name} carries a value"),
                        format!("/Config/Env/{i}"),
                    ));
                }
            }
            for (i, h) in image.history.iter().enumerate() {
                let step = created_by(h);
                let assigns = step
                    .split(|c: char| c.is_whitespace() || c == ';' || c == '&')
                    .filter_map(|w| w.split_once('='))
                    .any(|(k, v)| {
                        secret_name(k.trim_start_matches('-'))
                            && !v.is_empty()
                            && !v.starts_with('$')
                    });
                if assigns {
                    out.push(image_violation(
                        image,
                        format!("history step {i} sets a secret-looking value"),
                        format!("/history/{i}"),
                    ));
                }
            }
        }
    }
}
