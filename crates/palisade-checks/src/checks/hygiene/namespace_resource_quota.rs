//! PAL-K8S-077 — Namespace without resource policy.
//!
//! **What**: a Namespace among the scanned objects with neither a ResourceQuota nor a
//! LimitRange in it (among the scanned objects). System namespaces are left out.
//! **Why**: nothing then bounds what the namespace's pods may consume: one runaway or
//! hijacked workload (cryptomining) takes the nodes' capacity from everyone.
//! **Example** (fires): `kind: Namespace` `name: shop` alone.
//! **Remediation**: add a LimitRange with default limits and a ResourceQuota.
//! **References**: NSA/CISA "Resource policies"; ATT&CK T1496, T1499.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct NamespaceResourceQuota;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-077",
    slug: "namespace_resource_quota",
    title: "Namespace without ResourceQuota or LimitRange",
    severity: Severity::Low,
    category: Category::Hygiene,
    frameworks: Frameworks { nsa: &["Resource policies"], mitre: &["T1496", "T1499"], ..Frameworks::NONE },
    rationale: "Without quotas or default limits, one namespace can exhaust the cluster's capacity.",
    remediation: "Add a LimitRange (default requests and limits) and a ResourceQuota to the namespace.",
    patch: "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\nspec:\n  limits:\n  - type: Container\n    default: {cpu: 500m, memory: 512Mi}\n    defaultRequest: {cpu: 100m, memory: 128Mi}\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/policy/resource-quotas/"],
};

impl Check for NamespaceResourceQuota {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, ctx: &Context<'_>, out: &mut Vec<Violation>) {
        if o.kind != "Namespace" || o.group() != "" || o.name.starts_with("kube-") {
            return;
        }
        let covered = ctx.inventory.objects.iter().any(|p| {
            matches!(p.kind.as_str(), "ResourceQuota" | "LimitRange")
                && p.namespace_or_default() == Some(o.name.as_str())
        });
        if !covered {
            out.push(Violation::new(
                format!("namespace {:?} has no ResourceQuota or LimitRange", o.name),
                "/metadata/name",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_without_policy() {
        assert_eq!(
            run(
                &NamespaceResourceQuota,
                "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn does_not_fire_with_a_limit_range() {
        assert!(run(&NamespaceResourceQuota, "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: l, namespace: a}\nspec: {limits: []}\n").is_empty());
    }
}
