//! PAL-K8S-062 — RBAC rule allows changing workloads.
//!
//! **What**: a rule granting update or patch on deployments, daemonsets, statefulsets, replicasets, cronjobs, jobs or replicationcontrollers.
//! **Why**: changing a workload's template swaps its image, command or service account: code execution with the workload's identity.
//! **Example** (fires): `{apiGroups: [apps], resources: [daemonsets], verbs: [patch]}`.
//! **Remediation**: Grant workload updates only to deployment pipelines.
//! **References**: CIS 5.1.4; NSA/CISA "Authentication and authorization"; ATT&CK T1610, T1525.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct UpdateWorkloads;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-062",
    slug: "update_workloads",
    title: "RBAC rule allows changing workloads",
    severity: Severity::Medium,
    category: Category::Rbac,
    frameworks: Frameworks {
        cis: &["5.1.4"],
        nsa: &["Authentication and authorization: RBAC"],
        mitre: &["T1610", "T1525"],
        ..Frameworks::NONE
    },
    rationale:
        "Patching a workload template runs attacker-chosen code with the workload's permissions.",
    remediation: "Grant workload updates only to deployment pipelines.",
    patch: "rules:\n- apiGroups: [apps]\n  resources: [deployments]\n  verbs: [get, list, watch]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for UpdateWorkloads {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[
                ("apps", "deployments"),
                ("apps", "daemonsets"),
                ("apps", "statefulsets"),
                ("apps", "replicasets"),
                ("batch", "jobs"),
                ("batch", "cronjobs"),
                ("", "replicationcontrollers"),
            ],
            &["update", "patch"],
            "can change workload templates",
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
            &UpdateWorkloads,
            &super::super::role(
                "ClusterRole",
                "- apiGroups: [apps]\n  resources: [daemonsets]\n  verbs: [patch]\n",
            ),
        );
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
        assert_eq!(f[0].location.line, 7);
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &UpdateWorkloads,
            &super::super::role(
                "Role",
                "- apiGroups: [apps]\n  resources: [daemonsets]\n  verbs: [get]\n"
            )
        )
        .is_empty());
    }
}
