//! PAL-DKR-205 — ADD used instead of COPY (CIS Docker 4.9, level 1).
//!
//! **What**: no history step but the base image's root file system uses `ADD`.
//! **Why**: `ADD` fetches URLs and unpacks archives implicitly; a changed remote file or a crafted archive enters the image unnoticed.
//! **Example** (fires): `ADD https://example.com/app.tar.gz /app`.
//! **Remediation**: Use `COPY` (and explicit, verified downloads).
//! **References**: CIS Docker Benchmark v1.6.0 4.9.

use super::created_by;
use super::{image_violation, short};
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct AddInstruction;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-205",
    slug: "add_instruction",
    title: "ADD used instead of COPY",
    severity: Severity::Low,
    benchmark: Benchmark::CisDocker,
    cis: "4.9",
    level: 1,
    rationale: "`ADD` fetches URLs and unpacks archives implicitly; a changed remote file or a crafted archive enters the image unnoticed.",
    remediation: "Use `COPY` (and explicit, verified downloads).",
    fix: "COPY app /app",
    references: &[super::CIS_DOCKER, "https://docs.docker.com/reference/dockerfile/#add"],
};

impl HostCheck for AddInstruction {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        for image in &facts.images {
            // History is newest first; the oldest `ADD file:... in /` is the base root file system.
            let last = image.history.len().saturating_sub(1);
            for (i, h) in image.history.iter().enumerate() {
                let step = created_by(h);
                let add = step.contains("#(nop) ADD ") || step.starts_with("ADD ");
                let base = i == last && step.contains(" in / ");
                if add && !base {
                    out.push(image_violation(
                        image,
                        format!("history step {i} uses ADD: {}", short(step)),
                        format!("/history/{i}"),
                    ));
                }
            }
        }
    }
}
