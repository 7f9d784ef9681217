//! PAL-K8S-080 — Capabilities that amount to root on the node.
//!
//! **What**: `capabilities.add` with `SYS_ADMIN`, `SYS_MODULE`, `SYS_PTRACE`, `SYS_RAWIO`,
//! `SYS_BOOT`, `DAC_READ_SEARCH`, `BPF`, `PERFMON`, `NET_ADMIN` or `ALL` (with or without the
//! `CAP_` prefix).
//! **Why**: each one has a known container escape or host-wide effect: mounting filesystems
//! and cgroup release agents (SYS_ADMIN), loading kernel modules, reading other processes'
//! memory, reading any file by handle (DAC_READ_SEARCH, "shocker"), loading eBPF programs.
//! The baseline profile rejects them too (PAL-K8S-004); this check ranks them critical.
//! **Example** (fires): `capabilities: {add: [SYS_ADMIN]}`.
//! **Remediation**: drop them; give the workload a narrower capability or move the task to a
//! reviewed node agent.
//! **References**: CIS 5.2.9; NSA/CISA "Pod security: capabilities"; ATT&CK T1611, T1547.006.

use crate::check::*;
use crate::util::{describe, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct DangerousCapabilities;

const DANGEROUS: &[&str] = &[
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "DAC_READ_SEARCH",
    "BPF",
    "PERFMON",
    "NET_ADMIN",
    "ALL",
];

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-080",
    slug: "dangerous_capabilities",
    title: "Container adds a capability that allows escaping to the node",
    severity: Severity::Critical,
    category: Category::HostAccess,
    frameworks: Frameworks { cis: &["5.2.9"], nsa: &["Pod security: capabilities"], mitre: &["T1611", "T1547.006"], ..Frameworks::NONE },
    rationale: "SYS_ADMIN, SYS_MODULE, SYS_PTRACE, DAC_READ_SEARCH, BPF and similar capabilities have known container escapes.",
    remediation: "Remove the capability from capabilities.add.",
    patch: "securityContext:\n  capabilities:\n    drop: [ALL]\n",
    overrides: &[],
    references: &["https://man7.org/linux/man-pages/man7/capabilities.7.html"],
};

impl Check for DangerousCapabilities {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for c in t.containers() {
            let added = sc(c)
                .and_then(|s| s.capabilities.as_ref())
                .and_then(|caps| caps.add.as_ref());
            for (i, cap) in added.into_iter().flatten().enumerate() {
                let name = cap.to_ascii_uppercase();
                let name = name.strip_prefix("CAP_").unwrap_or(&name);
                if DANGEROUS.contains(&name) {
                    out.push(
                        Violation::new(
                            format!("{} adds {cap}", describe(c)),
                            t.container_field(c, &format!("securityContext/capabilities/add/{i}")),
                        )
                        .patch_at(t.container_field(c, "")),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_escape_capabilities() {
        let f = run(&DangerousCapabilities, &pod("  containers:\n  - name: c\n    securityContext:\n      capabilities: {add: [CAP_SYS_ADMIN, NET_BIND_SERVICE, sys_ptrace]}\n"));
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn does_not_fire_on_harmless_capabilities() {
        assert!(run(&DangerousCapabilities, &pod("  containers:\n  - name: c\n    securityContext:\n      capabilities: {add: [NET_BIND_SERVICE, CHOWN]}\n")).is_empty());
    }
}
