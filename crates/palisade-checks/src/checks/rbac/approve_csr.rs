//! PAL-K8S-059 — RBAC rule allows approving certificate signing requests.
//!
//! **What**: a rule granting `update` or `patch` on `certificatesigningrequests/approval`.
//! **Why**: approving a CSR issues a client certificate for any user or group the request names, `system:masters` included.
//! **Example** (fires): `{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}`.
//! **Remediation**: Keep CSR approval to the controller manager and cluster administrators.
//! **References**: CIS 5.1.11; NSA/CISA "Authentication and authorization"; ATT&CK T1078, T1649.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct ApproveCsr;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-059",
    slug: "approve_csr",
    title: "RBAC rule allows approving certificate signing requests",
    severity: Severity::High,
    category: Category::Rbac,
    frameworks: Frameworks { cis: &["5.1.11"], nsa: &["Authentication and authorization: RBAC"], mitre: &["T1078", "T1649"], ..Frameworks::NONE },
    rationale: "CSR approval can mint credentials for arbitrary identities.",
    remediation: "Keep CSR approval to the controller manager and cluster administrators.",
    patch: "rules:\n- apiGroups: [certificates.k8s.io]\n  resources: [certificatesigningrequests]\n  verbs: [get, list]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for ApproveCsr {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[("certificates.k8s.io", "certificatesigningrequests/approval")],
            &["update", "patch"],
            "can approve certificate signing requests",
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
        let f = run(&ApproveCsr, &super::super::role("ClusterRole", "- apiGroups: [certificates.k8s.io]\n  resources: [certificatesigningrequests/approval]\n  verbs: [update]\n"));
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
        assert_eq!(f[0].location.line, 7);
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(&ApproveCsr, &super::super::role("Role", "- apiGroups: [certificates.k8s.io]\n  resources: [certificatesigningrequests]\n  verbs: [get, create]\n")).is_empty());
    }
}
