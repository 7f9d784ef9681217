//! PAL-K8S-085 — RBAC rule allows changing Services, Endpoints or Ingresses.
//!
//! **What**: a rule granting create, update, patch, delete or deletecollection on `services`,
//! `endpoints`, `endpointslices` or `ingresses`.
//! **Why**: whoever can rewrite where a Service or Ingress sends traffic can redirect other
//! workloads' requests (and the credentials in them) to a pod of their choosing, or expose an
//! internal service to the internet.
//! **Example** (fires): `{apiGroups: [""], resources: [services], verbs: [patch]}`.
//! **Remediation**: Let only the deployment pipeline change Services and Ingresses; give workload
//! identities read access at most.
//! **References**: NSA/CISA "Authentication and authorization"; ATT&CK T1557.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct WriteServiceRouting;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-085",
    slug: "write_service_routing",
    title: "RBAC rule allows changing Services, Endpoints or Ingresses",
    severity: Severity::Medium,
    category: Category::Rbac,
    frameworks: Frameworks {
        nsa: &["Authentication and authorization: RBAC"],
        mitre: &["T1557"],
        ..Frameworks::NONE
    },
    rationale: "Changing Services, Endpoints or Ingresses redirects other workloads' traffic or \
                exposes internal services.",
    remediation: "Let only the deployment pipeline change Services and Ingresses; give workload \
                  identities read access at most.",
    patch: "rules:\n- apiGroups: [\"\"]\n  resources: [services, endpoints]\n  verbs: [get, list, watch]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

/// The resources that decide where traffic goes; NetworkPolicies have their own check
/// (PAL-K8S-066).
const ROUTING: &[(&str, &str)] = &[
    ("", "services"),
    ("", "endpoints"),
    ("discovery.k8s.io", "endpointslices"),
    ("networking.k8s.io", "ingresses"),
    ("extensions", "ingresses"),
];

impl Check for WriteServiceRouting {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            ROUTING,
            &["create", "update", "patch", "delete", "deletecollection"],
            "can change where traffic is routed",
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires() {
        let f = run(
            &WriteServiceRouting,
            &super::super::role(
                "Role",
                "- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get]\n- apiGroups: [\"\", networking.k8s.io]\n  resources: [services, ingresses]\n  verbs: [patch]\n",
            ),
        );
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
        assert_eq!(f[0].pointer, "/rules/1");
        assert!(
            f[0].message.contains("services, ingresses"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn fires_on_wildcard_verbs() {
        let f = run(
            &WriteServiceRouting,
            &super::super::role(
                "ClusterRole",
                "- apiGroups: [discovery.k8s.io]\n  resources: [endpointslices]\n  verbs: [\"*\"]\n",
            ),
        );
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
    }

    #[test]
    fn does_not_fire() {
        // Reading is fine, and so is writing an unrelated resource of the same group.
        assert!(run(
            &WriteServiceRouting,
            &super::super::role(
                "Role",
                "- apiGroups: [\"\"]\n  resources: [services, endpoints]\n  verbs: [get, list, watch]\n- apiGroups: [networking.k8s.io]\n  resources: [ingressclasses]\n  verbs: [create]\n"
            )
        )
        .is_empty());
    }
}
