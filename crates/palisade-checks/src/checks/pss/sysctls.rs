//! PAL-K8S-011 — Unsafe sysctls (PSS baseline, `sysctls`).
//!
//! **What**: `spec.securityContext.sysctls[].name` must be in the safe set:
//! `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, `net.ipv4.ip_unprivileged_port_start`,
//! `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`
//! (v1.27), `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
//! `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes` (v1.29),
//! `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem` (v1.32), `net.ipv4.tcp_slow_start_after_idle`,
//! `net.ipv4.tcp_notsent_lowat` (v1.37).
//! **Why**: other sysctls are not namespaced or can affect the whole node (memory, kernel
//! behaviour) and every other pod on it.
//! **Example** (fires): `sysctls: [{name: kernel.msgmax, value: "65536"}]`.
//! **Remediation**: remove the sysctl, or tune the node instead.
//! **References**: PSS baseline (Sysctls); ATT&CK T1611.

use crate::check::*;
use crate::util::pod_sc;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct Sysctls;

pub const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-011",
    slug: "sysctls",
    title: "Unsafe sysctl",
    severity: Severity::High,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Baseline),
        pss_control: Some("sysctls"),
        cis: &[],
        nsa: &["Pod security"],
        mitre: &["T1611"],
    },
    rationale:
        "Sysctls outside the safe set can change node-wide kernel behaviour or affect other pods.",
    remediation: "Remove sysctls that are not in the Pod Security Standards' safe set.",
    patch: "securityContext:\n  sysctls: []\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

impl Check for Sysctls {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for (i, s) in pod_sc(t)
            .and_then(|s| s.sysctls.as_ref())
            .into_iter()
            .flatten()
            .enumerate()
        {
            if !SAFE.contains(&s.name.as_str()) {
                out.push(
                    Violation::new(
                        format!("pod must not set sysctl {:?}", s.name),
                        t.spec_field(&format!("securityContext/sysctls/{i}/name")),
                    )
                    .patch_at(t.spec_pointer),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_unsafe_sysctls() {
        let f = run(&Sysctls, &pod("  securityContext:\n    sysctls:\n    - {name: net.ipv4.tcp_syncookies, value: \"1\"}\n    - name: kernel.msgmax\n      value: \"65536\"\n  containers: [{name: c}]\n"));
        assert_eq!(messages(&f), ["pod must not set sysctl \"kernel.msgmax\""]);
        assert_eq!(f[0].location.line, 10);
    }

    #[test]
    fn does_not_fire_on_the_safe_set() {
        let list: Vec<String> = SAFE
            .iter()
            .map(|s| format!("    - {{name: {s}, value: \"1\"}}\n"))
            .collect();
        assert!(run(
            &Sysctls,
            &pod(&format!(
                "  securityContext:\n    sysctls:\n{}  containers: [{{name: c}}]\n",
                list.concat()
            ))
        )
        .is_empty());
    }
}
