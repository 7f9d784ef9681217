//! PAL-K8S-053 — Container root filesystem is writable.
//!
//! **What**: every init and regular container sets `securityContext.readOnlyRootFilesystem: true`.
//! **Why**: a writable root filesystem lets an intruder download tools and modify the application in place.
//! **Example** (fires): a container without `readOnlyRootFilesystem: true`.
//! **Remediation**: Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the application writes.
//! **References**: NSA/CISA "Pod security: immutable container file systems"; ATT&CK T1105.

use crate::check::*;
use crate::util::describe;
use palisade_k8s::{ContainerKind, PodTemplate};
use palisade_model::Severity;

pub struct ReadOnlyRootFs;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-053",
    slug: "read_only_root_fs",
    title: "Container root filesystem is writable",
    severity: Severity::Low,
    category: Category::PodSecurity,
    frameworks: Frameworks { nsa: &["Pod security: immutable container file systems"], mitre: &["T1105"], ..Frameworks::NONE },
    rationale: "An immutable root filesystem stops attackers from dropping tools or changing binaries.",
    remediation: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the application writes.",
    patch: "securityContext:\n  readOnlyRootFilesystem: true\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
};

impl Check for ReadOnlyRootFs {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for c in t.containers() {
            if c.kind != ContainerKind::EphemeralContainer
                && c.container
                    .security_context
                    .as_ref()
                    .and_then(|s| s.read_only_root_filesystem)
                    != Some(true)
            {
                out.push(
                    Violation::new(
                        format!("{} has a writable root filesystem", describe(c)),
                        t.container_field(c, "securityContext/readOnlyRootFilesystem"),
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
    fn fires() {
        let f = run(&ReadOnlyRootFs, &pod("  containers:\n  - name: c\n"));
        assert_eq!(
            messages(&f),
            ["container \"c\" has a writable root filesystem"]
        );
        assert_eq!(f[0].patch_at, "/spec/containers/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &ReadOnlyRootFs,
            &pod(
                "  containers:\n  - name: c\n    securityContext: {readOnlyRootFilesystem: true}\n"
            )
        )
        .is_empty());
    }
}
