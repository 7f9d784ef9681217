//! PAL-K8S-019 — /proc mount type, without exemption (PSS restricted,
//! `procMount_restricted`, policy v1.35; replaces `procMount`).
//!
//! **What**: `securityContext.procMount` must be unset or `Default` on every container, user
//! namespace or not.
//! **Why**: the restricted profile keeps /proc masked even inside user namespaces.
//! **Example** (fires): `hostUsers: false` and `procMount: Unmasked`.
//! **Remediation**: remove `procMount`.
//! **References**: PSS restricted (/proc Mount Type); ATT&CK T1611.

use crate::check::*;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct ProcMountRestricted;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-019",
    slug: "proc_mount_restricted",
    title: "Unmasked /proc mount (restricted)",
    severity: Severity::Medium,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Restricted),
        pss_control: Some("procMount_restricted"),
        cis: &[],
        nsa: &["Pod security"],
        mitre: &["T1611"],
    },
    rationale:
        "The restricted profile never allows an unmasked /proc, even for user-namespaced pods.",
    remediation: "Remove securityContext.procMount (or set it to Default).",
    patch: "securityContext:\n  procMount: Default\n",
    overrides: &["procMount"],
    references: &[super::PSS_DOC],
};

impl Check for ProcMountRestricted {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::proc_mount::violations(t, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_even_in_user_namespaces() {
        let f = run(&ProcMountRestricted, &pod("  hostUsers: false\n  containers:\n  - name: c\n    securityContext: {procMount: Unmasked}\n"));
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn does_not_fire_on_default() {
        assert!(run(
            &ProcMountRestricted,
            &pod("  containers:\n  - name: c\n    securityContext: {procMount: Default}\n")
        )
        .is_empty());
    }
}
