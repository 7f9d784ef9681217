//! PAL-K8S-068 — Root group (GID 0).
//!
//! **What**: `runAsGroup: 0` (pod or container), `fsGroup: 0`, or `0` in
//! `supplementalGroups`.
//! **Why**: group 0 owns many files on the node and in images; a process in it reads and
//! writes them even as a non-root user, which matters on host mounts and after an escape.
//! **Example** (fires): `securityContext: {runAsGroup: 0}`.
//! **Remediation**: use a non-zero group (e.g. 10001).
//! **References**: NSA/CISA "Pod security: non-root containers"; ATT&CK T1611.

use crate::check::*;
use crate::util::{describe, pod_sc, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct RootGroup;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-068",
    slug: "root_group",
    title: "Process runs with the root group",
    severity: Severity::Low,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        nsa: &["Pod security: non-root containers"],
        mitre: &["T1611"],
        ..Frameworks::NONE
    },
    rationale: "GID 0 grants access to root-group files even to a non-root user.",
    remediation:
        "Set runAsGroup and fsGroup to a non-zero GID and remove 0 from supplementalGroups.",
    patch: "securityContext:\n  runAsGroup: 10001\n  fsGroup: 10001\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
};

impl Check for RootGroup {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if let Some(p) = pod_sc(t) {
            for (field, v) in [("runAsGroup", p.run_as_group), ("fsGroup", p.fs_group)] {
                if v == Some(0) {
                    out.push(
                        Violation::new(
                            format!("pod sets securityContext.{field}=0"),
                            t.spec_field(&format!("securityContext/{field}")),
                        )
                        .patch_at(t.spec_pointer),
                    );
                }
            }
            if let Some(i) = p.supplemental_groups.iter().flatten().position(|g| *g == 0) {
                out.push(
                    Violation::new(
                        "pod lists group 0 in securityContext.supplementalGroups",
                        t.spec_field(&format!("securityContext/supplementalGroups/{i}")),
                    )
                    .patch_at(t.spec_pointer),
                );
            }
        }
        for c in t.containers() {
            if sc(c).and_then(|s| s.run_as_group) == Some(0) {
                out.push(
                    Violation::new(
                        format!("{} sets securityContext.runAsGroup=0", describe(c)),
                        t.container_field(c, "securityContext/runAsGroup"),
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
    fn fires_on_gid_zero() {
        let f = run(&RootGroup, &pod("  securityContext: {fsGroup: 0, supplementalGroups: [5, 0]}\n  containers:\n  - name: c\n    securityContext: {runAsGroup: 0}\n"));
        assert_eq!(f.len(), 3, "{:?}", messages(&f));
    }

    #[test]
    fn does_not_fire_on_other_groups() {
        assert!(run(&RootGroup, &pod("  securityContext: {runAsGroup: 10001, fsGroup: 10001}\n  containers: [{name: c}]\n")).is_empty());
    }
}
