//! PAL-DKR-203 — Image has no HEALTHCHECK (CIS Docker 4.6, level 1).
//!
//! **What**: the image's configuration has a `Healthcheck`.
//! **Why**: Without a health check a hung or hijacked service keeps running unnoticed.
//! **Example** (fires): an image built without `HEALTHCHECK`.
//! **Remediation**: Add a `HEALTHCHECK` instruction.
//! **References**: CIS Docker Benchmark v1.6.0 4.6.

use super::image_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct ImageHealthcheck;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-203",
    slug: "image_healthcheck",
    title: "Image has no HEALTHCHECK",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "4.6",
    level: 1,
    rationale: "Without a health check a hung or hijacked service keeps running unnoticed.",
    remediation: "Add a `HEALTHCHECK` instruction.",
    fix: "HEALTHCHECK CMD [\"/app/healthcheck\"]",
    references: &[
        super::CIS_DOCKER,
        "https://docs.docker.com/reference/dockerfile/#healthcheck",
    ],
};

impl HostCheck for ImageHealthcheck {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        for image in &facts.images {
            let test = image
                .inspect
                .pointer("/Config/Healthcheck/Test")
                .and_then(Value::as_array);
            let none = test.is_none_or(|t| t.is_empty() || t[0].as_str() == Some("NONE"));
            if none {
                out.push(image_violation(
                    image,
                    "the image has no HEALTHCHECK",
                    "/Config/Healthcheck",
                ));
            }
        }
    }
}
