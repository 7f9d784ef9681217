//! PAL-K8S-082 — No security context at all.
//!
//! **What**: a pod template with no `securityContext` (or an empty one) on the pod and on a
//! container.
//! **Why**: the container then runs with every runtime default — image user (often root),
//! privilege escalation allowed, default capabilities — nobody decided anything.
//! **Example** (fires): a container without `securityContext` in a pod without one.
//! **Remediation**: set the restricted baseline: `runAsNonRoot`, `allowPrivilegeEscalation:
//! false`, `capabilities: {drop: [ALL]}`, `seccompProfile: RuntimeDefault`.
//! **References**: CIS 5.7.3; NSA/CISA "Pod security"; ATT&CK T1611.

use crate::check::*;
use crate::util::{describe, pod_sc, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct MissingSecurityContext;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-082",
    slug: "missing_security_context",
    title: "Container without any security context",
    severity: Severity::Low,
    category: Category::PodSecurity,
    frameworks: Frameworks { cis: &["5.7.3"], nsa: &["Pod security"], mitre: &["T1611"], ..Frameworks::NONE },
    rationale: "Without a security context every runtime default applies, root and privilege escalation included.",
    remediation: "Add a securityContext to the pod and its containers (runAsNonRoot, allowPrivilegeEscalation: false, drop ALL, RuntimeDefault seccomp).",
    patch: "securityContext:\n  allowPrivilegeEscalation: false\n  capabilities:\n    drop: [ALL]\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
};

impl Check for MissingSecurityContext {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        let empty_pod = pod_sc(t).is_none_or(|s| *s == Default::default());
        if !empty_pod {
            return;
        }
        for c in t.containers() {
            if sc(c).is_none_or(|s| *s == Default::default()) {
                out.push(
                    Violation::new(
                        format!("neither the pod nor {} sets a securityContext", describe(c)),
                        t.container_field(c, "securityContext"),
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
    fn fires_without_any_context() {
        assert_eq!(run(&MissingSecurityContext, &pod("  securityContext: {}\n  containers:\n  - name: c\n    securityContext: {}\n  - name: d\n    securityContext: {runAsNonRoot: true}\n")).len(), 1);
    }

    #[test]
    fn does_not_fire_with_a_pod_context() {
        assert!(run(
            &MissingSecurityContext,
            &pod("  securityContext: {runAsNonRoot: true}\n  containers: [{name: c}]\n")
        )
        .is_empty());
    }
}
