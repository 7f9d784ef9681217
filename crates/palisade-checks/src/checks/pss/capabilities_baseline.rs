//! PAL-K8S-004 — Added capabilities beyond the baseline set (PSS baseline,
//! `capabilities_baseline`).
//!
//! **What**: `securityContext.capabilities.add` may only hold `AUDIT_WRITE`, `CHOWN`,
//! `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`,
//! `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT` (compared exactly, as the admission does:
//! `CAP_SYS_ADMIN` or `sys_admin` are not in the list either).
//! **Why**: capabilities such as `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `NET_RAW` give a
//! container kernel powers used in container escapes and network attacks.
//! **Example** (fires): `capabilities: {add: [SYS_ADMIN]}`.
//! **Remediation**: add only the capabilities above; drop the rest.
//! **References**: PSS baseline (Capabilities); CIS 5.2.8, 5.2.9; ATT&CK T1611, T1068.

use crate::check::*;
use crate::util::{describe, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct CapabilitiesBaseline;

/// The capabilities the baseline profile allows to add.
pub const ALLOWED: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-004",
    slug: "capabilities_baseline",
    title: "Container adds capabilities outside the baseline set",
    severity: Severity::High,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Baseline),
        pss_control: Some("capabilities_baseline"),
        cis: &["5.2.8", "5.2.9"],
        nsa: &["Pod security: capabilities"],
        mitre: &["T1611", "T1068"],
    },
    rationale: "Extra Linux capabilities (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, NET_RAW...) give the container kernel powers used to escape or attack the network.",
    remediation: "Remove the capability from capabilities.add; only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT may be added.",
    patch: "securityContext:\n  capabilities:\n    add: []\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

impl Check for CapabilitiesBaseline {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for c in t.containers() {
            let added = sc(c)
                .and_then(|s| s.capabilities.as_ref())
                .and_then(|caps| caps.add.as_ref());
            for (i, cap) in added.into_iter().flatten().enumerate() {
                if !ALLOWED.contains(&cap.as_str()) {
                    out.push(
                        Violation::new(
                            format!("{} must not add capability {cap:?}", describe(c)),
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
    fn fires_on_each_capability_outside_the_set() {
        let f = run(&CapabilitiesBaseline, &pod("  containers:\n  - name: c\n    securityContext:\n      capabilities:\n        add:\n        - CHOWN\n        - SYS_ADMIN\n        - CAP_KILL\n        - NET_RAW\n"));
        assert_eq!(messages(&f).len(), 3);
        assert!(f[0].message.contains("SYS_ADMIN"));
        assert_eq!(f[0].location.line, 13);
        assert!(f[1].message.contains("CAP_KILL"), "exact names only");
    }

    #[test]
    fn does_not_fire_on_allowed_capabilities() {
        let caps = ALLOWED.join(", ");
        assert!(run(&CapabilitiesBaseline, &pod(&format!("  containers:\n  - name: c\n    securityContext:\n      capabilities: {{add: [{caps}], drop: [ALL]}}\n"))).is_empty());
    }
}
