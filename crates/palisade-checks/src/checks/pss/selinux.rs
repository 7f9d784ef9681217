//! PAL-K8S-008 — SELinux options (PSS baseline, `seLinuxOptions`).
//!
//! **What**: `seLinuxOptions.type` (pod and containers) must be empty or one of
//! `container_t`, `container_init_t`, `container_kvm_t`, `container_engine_t` (allowed since
//! policy v1.31); `seLinuxOptions.user` and `.role` must be empty.
//! **Why**: a custom SELinux type, user or role (e.g. `spc_t`, `unconfined_t`) lifts the
//! container out of the SELinux confinement.
//! **Example** (fires): `seLinuxOptions: {type: spc_t}`.
//! **Remediation**: remove the custom type, user and role (keep `level` if you need MCS).
//! **References**: PSS baseline (SELinux); NSA/CISA "Pod security"; ATT&CK T1611.

use crate::check::*;
use crate::util::{describe, pod_sc, sc};
use k8s_openapi::api::core::v1::SELinuxOptions;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct SeLinux;

pub const ALLOWED_TYPES: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-008",
    slug: "selinux",
    title: "Custom SELinux type, user or role",
    severity: Severity::High,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Baseline),
        pss_control: Some("seLinuxOptions"),
        cis: &[],
        nsa: &["Pod security: SELinux"],
        mitre: &["T1611"],
    },
    rationale: "Setting an SELinux type, user or role outside the container types escapes the SELinux container policy.",
    remediation: "Remove seLinuxOptions.type (or use container_t, container_init_t, container_kvm_t, container_engine_t) and remove user and role.",
    patch: "securityContext:\n  seLinuxOptions:\n    type: container_t\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

fn problems(o: &SELinuxOptions) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(t) = &o.type_ {
        if !ALLOWED_TYPES.contains(&t.as_str()) {
            out.push(("type", t.clone()));
        }
    }
    for (field, v) in [("user", &o.user), ("role", &o.role)] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            out.push((field, v.clone()));
        }
    }
    out
}

impl Check for SeLinux {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if let Some(o) = pod_sc(t).and_then(|s| s.se_linux_options.as_ref()) {
            for (field, value) in problems(o) {
                out.push(
                    Violation::new(
                        format!(
                            "pod must not set securityContext.seLinuxOptions.{field}={value:?}"
                        ),
                        t.spec_field(&format!("securityContext/seLinuxOptions/{field}")),
                    )
                    .patch_at(t.spec_pointer),
                );
            }
        }
        for c in t.containers() {
            if let Some(o) = sc(c).and_then(|s| s.se_linux_options.as_ref()) {
                for (field, value) in problems(o) {
                    out.push(
                        Violation::new(
                            format!(
                                "{} must not set securityContext.seLinuxOptions.{field}={value:?}",
                                describe(c)
                            ),
                            t.container_field(
                                c,
                                &format!("securityContext/seLinuxOptions/{field}"),
                            ),
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
    fn fires_on_type_user_and_role() {
        let f = run(&SeLinux, &pod("  securityContext:\n    seLinuxOptions: {type: spc_t}\n  containers:\n  - name: c\n    securityContext:\n      seLinuxOptions: {user: system_u, role: system_r, type: container_engine_t, level: \"s0:c1\"}\n"));
        assert_eq!(f.len(), 3, "{:?}", messages(&f));
        assert!(f[0].message.contains("spc_t"));
        assert!(f[1].message.contains("user"));
        assert!(f[2].message.contains("role"));
    }

    #[test]
    fn does_not_fire_on_allowed_types_and_level() {
        for ty in ALLOWED_TYPES {
            let spec = format!("  securityContext:\n    seLinuxOptions: {{type: \"{ty}\", level: \"s0:c123,c456\"}}\n  containers: [{{name: c}}]\n");
            assert!(run(&SeLinux, &pod(&spec)).is_empty(), "{ty}");
        }
    }
}
