//! PAL-DKR-317 — Host devices exposed to a container (CIS Docker 5.18, level 1).
//!
//! **What**: no host device is passed into a container (`--device`).
//! **Why**: A device node gives direct access to hardware or kernel drivers (disks, GPUs, /dev/mem) below every other control.
//! **Example** (fires): `docker run --device /dev/sda`.
//! **Remediation**: Remove `--device`, or pass it read-only with the narrowest permissions (`:r`).
//! **References**: CIS Docker Benchmark v1.6.0 5.18.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;
use serde_json::Value;

pub struct HostDevices;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-317",
    slug: "host_devices",
    title: "Host devices exposed to a container",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.18",
    level: 1,
    rationale: "A device node gives direct access to hardware or kernel drivers (disks, GPUs, /dev/mem) below every other control.",
    remediation: "Remove `--device`, or pass it read-only with the narrowest permissions (`:r`).",
    fix: "--device /dev/xyz:/dev/xyz:r",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for HostDevices {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/Devices", |c| {
            let devices: Vec<String> = c
                .host_config("Devices")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|d| {
                    d.get("PathOnHost").and_then(Value::as_str).map(|p| {
                        format!(
                            "{p} ({})",
                            d.get("CgroupPermissions")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                        )
                    })
                })
                .collect();
            (!devices.is_empty()).then(|| format!("has host devices {}", devices.join(", ")))
        });
    }
}
