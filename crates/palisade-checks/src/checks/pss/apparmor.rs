//! PAL-K8S-007 — AppArmor profile overridden (PSS baseline, `appArmorProfile`).
//!
//! **What**: `securityContext.appArmorProfile.type` (pod and containers) must be unset,
//! `RuntimeDefault` or `Localhost`; the deprecated annotations
//! `container.apparmor.security.beta.kubernetes.io/<container>` on the pod (template)
//! metadata must be empty, `runtime/default` or `localhost/<profile>`.
//! **Why**: `Unconfined` removes the AppArmor confinement the runtime applies by default.
//! **Example** (fires): `appArmorProfile: {type: Unconfined}`.
//! **Remediation**: use `RuntimeDefault` (or a `Localhost` profile).
//! **References**: PSS baseline (AppArmor); NSA/CISA "Pod security"; ATT&CK T1611.

use crate::check::*;
use crate::util::{describe, pod_sc, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct AppArmor;

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-007",
    slug: "apparmor",
    title: "AppArmor profile set to unconfined",
    severity: Severity::High,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Baseline),
        pss_control: Some("appArmorProfile"),
        cis: &[],
        nsa: &["Pod security: AppArmor and seccomp"],
        mitre: &["T1611"],
    },
    rationale: "Disabling AppArmor removes a mandatory access control layer that blocks many escape techniques.",
    remediation: "Set appArmorProfile.type to RuntimeDefault (or Localhost with a profile), and remove unconfined AppArmor annotations.",
    patch: "securityContext:\n  appArmorProfile:\n    type: RuntimeDefault\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

fn allowed_type(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

impl Check for AppArmor {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if let Some(p) = pod_sc(t).and_then(|s| s.app_armor_profile.as_ref()) {
            if !allowed_type(&p.type_) {
                out.push(
                    Violation::new(
                        format!(
                            "pod must not set securityContext.appArmorProfile.type={:?}",
                            p.type_
                        ),
                        t.spec_field("securityContext/appArmorProfile/type"),
                    )
                    .patch_at(t.spec_pointer),
                );
            }
        }
        for c in t.containers() {
            if let Some(p) = sc(c).and_then(|s| s.app_armor_profile.as_ref()) {
                if !allowed_type(&p.type_) {
                    out.push(
                        Violation::new(
                            format!(
                                "{} must not set securityContext.appArmorProfile.type={:?}",
                                describe(c),
                                p.type_
                            ),
                            t.container_field(c, "securityContext/appArmorProfile/type"),
                        )
                        .patch_at(t.container_field(c, "")),
                    );
                }
            }
        }
        for (key, value) in t.metadata.annotations.iter().flatten() {
            if let Some(container) = key.strip_prefix(ANNOTATION_PREFIX) {
                if !(value.is_empty()
                    || value == "runtime/default"
                    || value.starts_with("localhost/"))
                {
                    out.push(Violation::new(
                        format!("annotation {key}={value:?} disables AppArmor for container {container:?}"),
                        format!("{}/annotations/{}", t.metadata_pointer, key.replace('~', "~0").replace('/', "~1")),
                    ));
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
    fn fires_on_unconfined_fields_and_annotations() {
        let f = run(&AppArmor, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/c: unconfined\n    container.apparmor.security.beta.kubernetes.io/d: localhost/mine\nspec:\n  securityContext:\n    appArmorProfile: {type: Unconfined}\n  containers:\n  - name: c\n    securityContext:\n      appArmorProfile:\n        type: Unconfined\n  - name: d\n    securityContext:\n      appArmorProfile: {type: Localhost, localhostProfile: mine}\n");
        assert_eq!(f.len(), 3, "{:?}", messages(&f));
        let lines: Vec<u32> = f.iter().map(|f| f.location.line).collect();
        assert_eq!(lines, [6, 10, 15]);
    }

    #[test]
    fn does_not_fire_on_runtime_default() {
        assert!(run(&AppArmor, &pod("  securityContext:\n    appArmorProfile: {type: RuntimeDefault}\n  containers: [{name: c}]\n")).is_empty());
    }
}
