//! PAL-K8S-049 — Namespace without a NetworkPolicy.
//!
//! **What**: a Namespace among the scanned objects with no NetworkPolicy in it (among the
//! scanned objects).
//! **Why**: without a policy every pod accepts traffic from every other pod in the cluster:
//! one compromised pod can reach all the others (lateral movement).
//! **Example** (fires): `kind: Namespace` `name: shop` and no NetworkPolicy in `shop`.
//! **Remediation**: add a default-deny policy and allow only the flows needed.
//! **References**: CIS 5.3.2; NSA/CISA "Network policies"; ATT&CK T1210, T1046.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct NamespaceNetworkPolicy;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-049",
    slug: "namespace_network_policy",
    title: "Namespace without a NetworkPolicy",
    severity: Severity::Medium,
    category: Category::Network,
    frameworks: Frameworks { cis: &["5.3.2"], nsa: &["Network separation and hardening: network policies"], mitre: &["T1210", "T1046"], ..Frameworks::NONE },
    rationale: "Without a NetworkPolicy, pods in the namespace accept traffic from anywhere in the cluster.",
    remediation: "Add a default-deny NetworkPolicy to the namespace and allow the flows the applications need.",
    patch: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n",
    overrides: &[],
    references: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
};

impl Check for NamespaceNetworkPolicy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, ctx: &Context<'_>, out: &mut Vec<Violation>) {
        if o.kind != "Namespace" || o.group() != "" {
            return;
        }
        let covered = ctx
            .inventory
            .of_kind("NetworkPolicy")
            .any(|p| p.namespace_or_default() == Some(o.name.as_str()));
        if !covered {
            out.push(Violation::new(
                format!("namespace {:?} has no NetworkPolicy", o.name),
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
    fn fires_on_uncovered_namespaces() {
        let f = run(&NamespaceNetworkPolicy, "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: b}\nspec: {podSelector: {}}\n");
        assert_eq!(messages(&f), ["namespace \"a\" has no NetworkPolicy"]);
    }

    #[test]
    fn does_not_fire_when_covered() {
        assert!(run(&NamespaceNetworkPolicy, "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: b}\nspec: {podSelector: {}}\n").is_empty());
    }
}
