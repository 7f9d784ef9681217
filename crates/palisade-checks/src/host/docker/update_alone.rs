//! PAL-DKR-204 — Package index updated in a layer of its own (CIS Docker 4.7, level 1).
//!
//! **What**: no history step runs a package index update (`apt-get update`, `apk update`, `yum makecache`) without installing in the same step.
//! **Why**: A cached update layer makes later builds install stale packages, missing security fixes.
//! **Example** (fires): `RUN apt-get update` on its own line.
//! **Remediation**: Update and install in one `RUN`: `apt-get update && apt-get install -y ...`.
//! **References**: CIS Docker Benchmark v1.6.0 4.7.

use super::created_by;
use super::{image_violation, short};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct UpdateAlone;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-204",
    slug: "update_alone",
    title: "Package index updated in a layer of its own",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "4.7",
    level: 1,
    rationale:
        "A cached update layer makes later builds install stale packages, missing security fixes.",
    remediation: "Update and install in one `RUN`: `apt-get update && apt-get install -y ...`.",
    fix: "RUN apt-get update && apt-get install -y --no-install-recommends pkg",
    references: &[super::CIS_DOCKER],
};

impl HostCheck for UpdateAlone {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        for image in &facts.images {
            for (i, h) in image.history.iter().enumerate() {
                let step = created_by(h);
                let updates = [
                    "apt-get update",
                    "apt update",
                    "apk update",
                    "yum makecache",
                    "dnf makecache",
                ]
                .iter()
                .any(|u| step.contains(u));
                let installs = ["install", "upgrade", "apk add"]
                    .iter()
                    .any(|u| step.contains(u));
                if updates && !installs {
                    out.push(image_violation(
                        image,
                        format!(
                            "history step {i} updates the package index alone: {}",
                            short(step)
                        ),
                        format!("/history/{i}"),
                    ));
                }
            }
        }
    }
}
