//! PAL-DKR-201 — Image runs as root (CIS Docker 4.1, level 1).
//!
//! **What**: the image's configuration names a non-root `User`.
//! **Why**: A process running as root in a container is one kernel bug away from root on the host.
//! **Example** (fires): an image built without `USER`.
//! **Remediation**: Add `USER <non-root uid>` to the Dockerfile.
//! **References**: CIS Docker Benchmark v1.6.0 4.1.

use super::image_violation;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct ImageUser;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-201",
    slug: "image_user",
    title: "Image runs as root",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "4.1",
    level: 1,
    rationale:
        "A process running as root in a container is one kernel bug away from root on the host.",
    remediation: "Add `USER <non-root uid>` to the Dockerfile.",
    fix: "USER 10001",
    references: &[
        super::CIS_DOCKER,
        "https://docs.docker.com/reference/dockerfile/#user",
    ],
};

impl HostCheck for ImageUser {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        for image in &facts.images {
            let user = image
                .inspect
                .pointer("/Config/User")
                .and_then(Value::as_str)
                .unwrap_or("");
            let name = user.split(':').next().unwrap_or("");
            if name.is_empty() || name == "root" || name == "0" {
                out.push(image_violation(
                    image,
                    format!(
                        "the image runs as {}",
                        if user.is_empty() {
                            "root (no USER)"
                        } else {
                            user
                        }
                    ),
                    "/Config/User",
                ));
            }
        }
    }
}
