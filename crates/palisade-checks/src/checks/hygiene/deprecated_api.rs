//! PAL-K8S-076 — Removed API version.
//!
//! **What**: an object written with an API version that current Kubernetes no longer serves:
//! `extensions/v1beta1` and `apps/v1beta1`/`v1beta2` workloads, `networking.k8s.io/v1beta1`
//! and `extensions/v1beta1` Ingress, `rbac.authorization.k8s.io/v1beta1`, `batch/v1beta1`
//! CronJob, `policy/v1beta1` PodSecurityPolicy and PodDisruptionBudget,
//! `admissionregistration.k8s.io/v1beta1` webhooks.
//! **Why**: the manifest cannot be applied as is; upgrades get stuck, and manifests that nobody
//! can apply are manifests nobody maintains (PodSecurityPolicy itself is gone since 1.25).
//! **Example** (fires): `apiVersion: extensions/v1beta1`, `kind: Deployment`.
//! **Remediation**: move to the stable version (`apps/v1`, `networking.k8s.io/v1`, ...).
//! **References**: Kubernetes deprecated API migration guide; NSA/CISA "Upgrading and
//! application security practices".

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct DeprecatedApi;

/// (apiVersion, kind or "*", replacement).
const REMOVED: &[(&str, &str, &str)] = &[
    ("extensions/v1beta1", "*", "apps/v1 or networking.k8s.io/v1"),
    ("apps/v1beta1", "*", "apps/v1"),
    ("apps/v1beta2", "*", "apps/v1"),
    ("networking.k8s.io/v1beta1", "*", "networking.k8s.io/v1"),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "*",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1alpha1",
        "*",
        "rbac.authorization.k8s.io/v1",
    ),
    ("batch/v1beta1", "CronJob", "batch/v1"),
    (
        "policy/v1beta1",
        "*",
        "policy/v1 (PodSecurityPolicy: Pod Security admission)",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "*",
        "admissionregistration.k8s.io/v1",
    ),
    ("autoscaling/v2beta1", "*", "autoscaling/v2"),
    ("autoscaling/v2beta2", "*", "autoscaling/v2"),
    ("scheduling.k8s.io/v1beta1", "*", "scheduling.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "*", "storage.k8s.io/v1"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "*",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
];

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-076",
    slug: "deprecated_api",
    title: "Object uses a removed API version",
    severity: Severity::Low,
    category: Category::Hygiene,
    frameworks: Frameworks {
        nsa: &["Upgrading and application security practices"],
        mitre: &[],
        ..Frameworks::NONE
    },
    rationale: "Removed API versions cannot be applied to current clusters and block upgrades.",
    remediation: "Rewrite the object for the stable API version.",
    patch: "apiVersion: apps/v1\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/reference/using-api/deprecation-guide/"],
};

impl Check for DeprecatedApi {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if let Some((_, _, to)) = REMOVED
            .iter()
            .find(|(v, k, _)| *v == o.api_version && (*k == "*" || *k == o.kind))
        {
            out.push(
                Violation::new(
                    format!("{} {} is no longer served; use {to}", o.api_version, o.kind),
                    "/apiVersion",
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
    fn fires_on_removed_versions() {
        let f = run(&DeprecatedApi, "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: i, namespace: a}\n---\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c, namespace: a}\n");
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].location.line, 5);
    }

    #[test]
    fn does_not_fire_on_stable_versions() {
        assert!(run(
            &DeprecatedApi,
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: a}\n"
        )
        .is_empty());
    }
}
