//! PAL-DKR-303 — Container without SELinux options (CIS Docker 5.3, level 2).
//!
//! **What**: on hosts with SELinux, containers do not disable labelling and run with SELinux options
//! (Docker itself adds `label=disable` to containers sharing the host PID or IPC namespace; on a
//! host without SELinux that option does nothing and is not reported).
//! **Why**: SELinux labels keep a container's processes off the host's and other containers' files.
//! **Example** (fires): `docker run --security-opt label=disable`.
//! **Remediation**: Remove `label=disable`; run the daemon with `--selinux-enabled`.
//! **References**: CIS Docker Benchmark v1.6.0 5.3.

use super::per_container;
use crate::host::check::{Benchmark, HostCheck, HostCheckMeta, HostViolation};
use crate::host::facts::HostFacts;
use palisade_model::Severity;

pub struct SeLinux;

static META: HostCheckMeta = HostCheckMeta {
    id: "PAL-DKR-303",
    slug: "selinux",
    title: "Container without SELinux options",
    severity: Severity::Medium,
    benchmark: Benchmark::CisDocker,
    cis: "5.3",
    level: 2,
    rationale:
        "SELinux labels keep a container's processes off the host's and other containers' files.",
    remediation: "Remove `label=disable`; run the daemon with `--selinux-enabled`.",
    fix: "--security-opt label=type:container_t",
    references: &[super::CIS_DOCKER, super::RUN_DOC],
};

impl HostCheck for SeLinux {
    fn meta(&self) -> &'static HostCheckMeta {
        &META
    }

    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>) {
        per_container(facts, out, "/HostConfig/SecurityOpt", |c| {
            let opts = c.security_opts();
            let disabled = opts.iter().any(|(k, v)| *k == "label" && *v == "disable");
            let host_has = facts
                .security_options()
                .iter()
                .any(|o| o.contains("name=selinux"));
            let labelled = opts.iter().any(|(k, _)| *k == "label");
            (host_has && (disabled || !labelled)).then(|| {
                if disabled {
                    "disables SELinux labelling".to_owned()
                } else {
                    "runs without SELinux options".to_owned()
                }
            })
        });
    }
}
