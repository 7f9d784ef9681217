//! PAL-K8S-018 — Capabilities not dropped (PSS restricted, `capabilities_restricted`;
//! replaces `capabilities_baseline`).
//!
//! **What**: every container must `drop: ["ALL"]` and may add only `NET_BIND_SERVICE`.
//! Windows pods are exempt since policy v1.25.
//! **Why**: the runtime's default capability set (e.g. `NET_RAW`, `CHOWN`, `SETUID`) is more
//! than most processes need; dropping all removes kernel attack surface.
//! **Example** (fires): a container without `capabilities: {drop: [ALL]}`.
//! **Remediation**: `capabilities: {drop: [ALL]}` (plus `add: [NET_BIND_SERVICE]` if needed).
//! **References**: PSS restricted (Capabilities); CIS 5.2.9, 5.2.10; ATT&CK T1611, T1068.

use crate::check::*;
use crate::util::{describe, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct CapabilitiesRestricted;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-018",
    slug: "capabilities_restricted",
    title: "Container does not drop all capabilities",
    severity: Severity::Medium,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Restricted),
        pss_control: Some("capabilities_restricted"),
        cis: &["5.2.9", "5.2.10"],
        nsa: &["Pod security: capabilities"],
        mitre: &["T1611", "T1068"],
    },
    rationale: "The default capability set includes powers like NET_RAW that most workloads never need.",
    remediation: "Add capabilities: {drop: [ALL]} to every container; add back only NET_BIND_SERVICE if the process binds a port below 1024.",
    patch: "securityContext:\n  capabilities:\n    drop: [ALL]\n",
    overrides: &["capabilities_baseline"],
    references: &[super::PSS_DOC],
};

impl Check for CapabilitiesRestricted {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if t.is_windows() {
            return;
        }
        for c in t.containers() {
            let caps = sc(c).and_then(|s| s.capabilities.as_ref());
            let drops_all = caps
                .and_then(|c| c.drop.as_ref())
                .is_some_and(|d| d.iter().any(|x| x == "ALL"));
            if !drops_all {
                out.push(
                    Violation::new(
                        format!(
                            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
                            describe(c)
                        ),
                        t.container_field(c, "securityContext/capabilities/drop"),
                    )
                    .patch_at(t.container_field(c, "")),
                );
            }
            for (i, cap) in caps
                .and_then(|c| c.add.as_ref())
                .into_iter()
                .flatten()
                .enumerate()
            {
                if cap != "NET_BIND_SERVICE" {
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
    fn fires_without_drop_all_or_with_other_adds() {
        let f = run(&CapabilitiesRestricted, &pod("  containers:\n  - name: a\n    securityContext:\n      capabilities: {drop: [NET_RAW], add: [CHOWN, NET_BIND_SERVICE]}\n"));
        assert_eq!(f.len(), 2, "{:?}", messages(&f));
    }

    #[test]
    fn does_not_fire_on_drop_all() {
        assert!(run(&CapabilitiesRestricted, &pod("  containers:\n  - name: a\n    securityContext:\n      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}\n")).is_empty());
    }
}
