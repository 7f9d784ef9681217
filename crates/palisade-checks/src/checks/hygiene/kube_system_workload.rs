//! PAL-K8S-074 — Workload in a system namespace.
//!
//! **What**: a workload (any kind with a pod template) in `kube-system`, `kube-public` or
//! `kube-node-lease`.
//! **Why**: system namespaces hold the cluster's most privileged service accounts and
//! secrets, and are often exempt from admission policy; application pods there inherit that
//! blast radius.
//! **Example** (fires): `kind: Deployment`, `namespace: kube-system`, for an application.
//! **Remediation**: deploy applications to their own namespaces. (Cluster add-ons that belong
//! there can be excepted with `palisade.dev/exceptions`.)
//! **References**: CIS 5.7.1; NSA/CISA "Namespaces"; ATT&CK T1610.

use crate::check::*;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct KubeSystemWorkload;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-074",
    slug: "kube_system_workload",
    title: "Workload in a system namespace",
    severity: Severity::Medium,
    category: Category::Hygiene,
    frameworks: Frameworks { cis: &["5.7.1"], nsa: &["Namespaces"], mitre: &["T1610"], ..Frameworks::NONE },
    rationale: "System namespaces carry the cluster's most privileged identities and are often exempt from policy.",
    remediation: "Move the workload to an application namespace.",
    patch: "metadata:\n  namespace: my-app\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces"],
};

impl Check for KubeSystemWorkload {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        let ns = t.owner.namespace_or_default().unwrap_or("");
        if matches!(ns, "kube-system" | "kube-public" | "kube-node-lease") {
            out.push(
                Violation::new(
                    format!("{} runs in the {ns} namespace", t.owner.kind),
                    "/metadata/namespace",
                )
                .patch_at(""),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_in_kube_system() {
        assert_eq!(run(&KubeSystemWorkload, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: kube-system}\nspec:\n  containers: [{name: c}]\n").len(), 1);
    }

    #[test]
    fn does_not_fire_elsewhere() {
        assert!(run(&KubeSystemWorkload, &pod("  containers: [{name: c}]\n")).is_empty());
    }
}
