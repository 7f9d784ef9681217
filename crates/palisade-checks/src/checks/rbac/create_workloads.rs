//! PAL-K8S-023 — RBAC rule allows creating pods or workloads.
//!
//! **What**: a rule granting `create` on pods, deployments, daemonsets, statefulsets, replicasets, jobs, cronjobs or replicationcontrollers.
//! **Why**: whoever creates a pod chooses its image, service account, volumes and security context: they can mount any secret of the namespace and, without admission control, run privileged pods.
//! **Example** (fires): `{apiGroups: [apps], resources: [deployments], verbs: [create]}`.
//! **Remediation**: Grant workload creation only to deployment pipelines, and enforce the Pod Security Standards with admission.
//! **References**: CIS 5.1.4; NSA/CISA "Authentication and authorization"; ATT&CK T1610.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct CreateWorkloads;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-023",
    slug: "create_workloads",
    title: "RBAC rule allows creating pods or workloads",
    severity: Severity::Medium,
    category: Category::Rbac,
    frameworks: Frameworks { cis: &["5.1.4"], nsa: &["Authentication and authorization: RBAC"], mitre: &["T1610"], ..Frameworks::NONE },
    rationale: "Creating workloads lets a subject run any image with any service account of the namespace.",
    remediation: "Grant workload creation only to deployment pipelines, and enforce the Pod Security Standards with admission.",
    patch: "rules:\n- apiGroups: [apps]\n  resources: [deployments]\n  verbs: [get, list, watch]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for CreateWorkloads {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[
                ("", "pods"),
                ("apps", "deployments"),
                ("apps", "daemonsets"),
                ("apps", "statefulsets"),
                ("apps", "replicasets"),
                ("batch", "jobs"),
                ("batch", "cronjobs"),
                ("", "replicationcontrollers"),
            ],
            &["create"],
            "can create workloads",
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
        let f = run(&CreateWorkloads, &super::super::role("ClusterRole", "- apiGroups: [apps, batch]\n  resources: [deployments, cronjobs]\n  verbs: [create, update]\n"));
        assert!(!f.is_empty());
        assert_eq!(f[0].location.line, 7, "{:?}", messages(&f));
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &CreateWorkloads,
            &super::super::role(
                "Role",
                "- apiGroups: [apps]\n  resources: [deployments]\n  verbs: [get, list, patch]\n"
            )
        )
        .is_empty());
    }
}
