//! PAL-K8S-001 — Windows HostProcess containers (PSS baseline, `windowsHostProcess`).
//!
//! **What**: `securityContext.windowsOptions.hostProcess` on the pod or on any container must
//! be unset or `false`.
//! **Why**: a HostProcess container runs directly on the Windows node with the node's
//! privileges: full host access.
//! **Example** (fires): `securityContext: {windowsOptions: {hostProcess: true}}`.
//! **Remediation**: remove `hostProcess: true`; run node agents outside the workload plane.
//! **References**: Pod Security Standards (baseline, HostProcess); CIS 5.2.11; ATT&CK T1611.

use crate::check::*;
use crate::util::{describe, pod_sc, sc};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct HostProcess;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-001",
    slug: "host_process",
    title: "Windows HostProcess container",
    severity: Severity::Critical,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Baseline),
        pss_control: Some("windowsHostProcess"),
        cis: &["5.2.11"],
        nsa: &["Pod security: privileged containers"],
        mitre: &["T1611"],
    },
    rationale:
        "A HostProcess container runs on the Windows node itself with the node's privileges.",
    remediation: "Remove `windowsOptions.hostProcess: true` from the pod and its containers.",
    patch: "securityContext:\n  windowsOptions:\n    hostProcess: false\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

impl Check for HostProcess {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        let pod = pod_sc(t)
            .and_then(|s| s.windows_options.as_ref())
            .and_then(|w| w.host_process);
        if pod == Some(true) {
            out.push(
                Violation::new(
                    "pod must not set securityContext.windowsOptions.hostProcess=true",
                    t.spec_field("securityContext/windowsOptions/hostProcess"),
                )
                .patch_at(t.spec_pointer),
            );
        }
        for c in t.containers() {
            if sc(c)
                .and_then(|s| s.windows_options.as_ref())
                .and_then(|w| w.host_process)
                == Some(true)
            {
                out.push(
                    Violation::new(
                        format!(
                            "{} must not set securityContext.windowsOptions.hostProcess=true",
                            describe(c)
                        ),
                        t.container_field(c, "securityContext/windowsOptions/hostProcess"),
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
    fn fires_on_pod_and_container_host_process() {
        let f = run(&HostProcess, &pod("  securityContext:\n    windowsOptions: {hostProcess: true}\n  containers:\n  - name: a\n    securityContext:\n      windowsOptions:\n        hostProcess: true\n"));
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].location.line, 8);
        assert_eq!(f[1].location.line, 13);
        assert!(f[1].message.contains("container \"a\""));
    }

    #[test]
    fn does_not_fire_when_false_or_unset() {
        assert!(run(&HostProcess, &pod("  securityContext:\n    windowsOptions: {hostProcess: false}\n  containers:\n  - name: a\n")).is_empty());
    }
}
