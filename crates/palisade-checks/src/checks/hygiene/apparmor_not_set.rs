//! PAL-K8S-083 — No AppArmor profile requested.
//!
//! **What**: a pod template where neither the pod nor a container sets
//! `securityContext.appArmorProfile`, and no `container.apparmor.security.beta.kubernetes.io/`
//! annotation names that container.
//! **Why**: nodes without AppArmor enabled, or runtimes configured otherwise, then run the
//! container unconfined; asking for `RuntimeDefault` explicitly makes the intent checkable.
//! **Example** (fires): a container without `appArmorProfile` in a pod without one.
//! **Remediation**: set `securityContext.appArmorProfile.type: RuntimeDefault` on the pod.
//! **References**: NSA/CISA "Pod security: AppArmor and seccomp"; ATT&CK T1611.

use crate::check::*;
use crate::util::{describe, pod_sc, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct AppArmorNotSet;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-083",
    slug: "apparmor_not_set",
    title: "No AppArmor profile requested",
    severity: Severity::Low,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        nsa: &["Pod security: AppArmor and seccomp"],
        mitre: &["T1611"],
        ..Frameworks::NONE
    },
    rationale:
        "Without an explicit AppArmor profile the confinement depends on each node's configuration.",
    remediation: "Set securityContext.appArmorProfile.type: RuntimeDefault at pod level.",
    patch: "securityContext:\n  appArmorProfile:\n    type: RuntimeDefault\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/tutorials/security/apparmor/"],
};

impl Check for AppArmorNotSet {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if t.is_windows() || pod_sc(t).is_some_and(|s| s.app_armor_profile.is_some()) {
            return;
        }
        let annotations = t.metadata.annotations.as_ref();
        for c in t.containers() {
            let annotated = annotations.is_some_and(|a| {
                a.contains_key(&format!(
                    "container.apparmor.security.beta.kubernetes.io/{}",
                    c.name()
                ))
            });
            if !annotated && sc(c).is_none_or(|s| s.app_armor_profile.is_none()) {
                out.push(
                    Violation::new(
                        format!("no AppArmor profile is set for {}", describe(c)),
                        t.container_field(c, "securityContext/appArmorProfile"),
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
    fn fires_without_a_profile() {
        assert_eq!(run(&AppArmorNotSet, &pod("  containers: [{name: c}, {name: d, securityContext: {appArmorProfile: {type: RuntimeDefault}}}]\n")).len(), 1);
    }

    #[test]
    fn does_not_fire_with_pod_profile_or_annotation() {
        assert!(run(&AppArmorNotSet, &pod("  securityContext:\n    appArmorProfile: {type: RuntimeDefault}\n  containers: [{name: c}]\n")).is_empty());
        assert!(run(&AppArmorNotSet, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {container.apparmor.security.beta.kubernetes.io/c: runtime/default}\nspec:\n  containers: [{name: c}]\n").is_empty());
    }
}
