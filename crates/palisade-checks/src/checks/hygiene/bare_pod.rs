//! PAL-K8S-057 — Pod without a controller.
//!
//! **What**: a `Pod` object with no controlling owner reference.
//! **Why**: a bare pod is not rescheduled when its node fails, not rolled out consistently,
//! and escapes the review that workload templates get.
//! **Example** (fires): `kind: Pod` written directly in a manifest.
//! **Remediation**: run it from a Deployment, StatefulSet, DaemonSet or Job.
//! **References**: Kubernetes configuration best practices; NSA/CISA "Pod security";
//! ATT&CK T1610.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct BarePod;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-057",
    slug: "bare_pod",
    title: "Pod without a controller",
    severity: Severity::Low,
    category: Category::Hygiene,
    frameworks: Frameworks { nsa: &["Pod security"], mitre: &["T1610"], ..Frameworks::NONE },
    rationale: "Pods created directly are not recreated on node failure and bypass workload review.",
    remediation: "Wrap the pod template in a Deployment (or StatefulSet, DaemonSet, Job).",
    patch: "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    # the pod's metadata and spec\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/configuration/overview/#naked-pods-vs-replicasets-deployments-and-jobs"],
};

impl Check for BarePod {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if o.kind == "Pod" && o.group() == "" && o.controller().is_none() {
            out.push(Violation::new("Pod is not managed by a controller", "/kind").patch_at(""));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_bare_pods() {
        assert_eq!(run(&BarePod, &pod("  containers: [{name: c}]\n")).len(), 1);
    }

    #[test]
    fn does_not_fire_on_owned_pods() {
        assert!(run(&BarePod, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  ownerReferences: [{kind: ReplicaSet, name: r, controller: true, apiVersion: apps/v1, uid: x}]\nspec:\n  containers: [{name: c}]\n").is_empty());
    }
}
