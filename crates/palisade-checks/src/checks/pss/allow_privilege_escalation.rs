//! PAL-K8S-014 — Privilege escalation allowed (PSS restricted, `allowPrivilegeEscalation`).
//!
//! **What**: every container must set `securityContext.allowPrivilegeEscalation: false`
//! (Windows pods, `spec.os.name: windows`, are exempt since policy v1.25).
//! **Why**: unless set to false, setuid binaries and file capabilities can raise the
//! process's privileges (`no_new_privs` is not set).
//! **Example** (fires): a container without `allowPrivilegeEscalation: false`.
//! **Remediation**: set it to false on every container.
//! **References**: PSS restricted (Privilege Escalation); CIS 5.2.6; ATT&CK T1068, T1548.

use crate::check::*;
use crate::util::{describe, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct AllowPrivilegeEscalation;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-014",
    slug: "allow_privilege_escalation",
    title: "Container allows privilege escalation",
    severity: Severity::Medium,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Restricted),
        pss_control: Some("allowPrivilegeEscalation"),
        cis: &["5.2.6"],
        nsa: &["Pod security: privilege escalation"],
        mitre: &["T1068", "T1548"],
    },
    rationale: "Without allowPrivilegeEscalation: false, setuid binaries can give a process more privileges than its parent.",
    remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
    patch: "securityContext:\n  allowPrivilegeEscalation: false\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

impl Check for AllowPrivilegeEscalation {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if t.is_windows() {
            return;
        }
        for c in t.containers() {
            if sc(c).and_then(|s| s.allow_privilege_escalation) != Some(false) {
                out.push(
                    Violation::new(
                        format!(
                            "{} must set securityContext.allowPrivilegeEscalation=false",
                            describe(c)
                        ),
                        t.container_field(c, "securityContext/allowPrivilegeEscalation"),
                    )
                    .patch_at(t.container_field(c, "")),
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
    fn fires_when_not_explicitly_false() {
        let f = run(&AllowPrivilegeEscalation, &pod("  containers:\n  - name: a\n  - name: b\n    securityContext: {allowPrivilegeEscalation: true}\n  - name: c\n    securityContext: {allowPrivilegeEscalation: false}\n"));
        assert_eq!(f.len(), 2);
        assert_eq!(
            f[0].location.line, 8,
            "reported at the container when the field is absent"
        );
    }

    #[test]
    fn windows_pods_are_exempt() {
        assert!(run(
            &AllowPrivilegeEscalation,
            &pod("  os: {name: windows}\n  containers: [{name: a}]\n")
        )
        .is_empty());
    }
}
