//! PAL-K8S-060 — RBAC rule allows deleting events.
//!
//! **What**: a rule granting `delete` or `deletecollection` on `events` (core or `events.k8s.io`).
//! **Why**: deleting events erases the trace of what happened in the cluster (indicator removal).
//! **Example** (fires): `{apiGroups: [""], resources: [events], verbs: [delete]}`.
//! **Remediation**: Remove delete and deletecollection on events.
//! **References**: NSA/CISA "Authentication and authorization"; ATT&CK T1070.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct DeleteEvents;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-060",
    slug: "delete_events",
    title: "RBAC rule allows deleting events",
    severity: Severity::Medium,
    category: Category::Rbac,
    frameworks: Frameworks {
        nsa: &["Authentication and authorization: RBAC"],
        mitre: &["T1070"],
        ..Frameworks::NONE
    },
    rationale: "Deleting events lets an intruder remove evidence of their activity.",
    remediation: "Remove delete and deletecollection on events.",
    patch: "rules:\n- apiGroups: [\"\"]\n  resources: [events]\n  verbs: [get, list, watch]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for DeleteEvents {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        super::rule_violations(
            o,
            &[("", "events"), ("events.k8s.io", "events")],
            &["delete", "deletecollection"],
            "can delete events",
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
        let f = run(&DeleteEvents, &super::super::role("ClusterRole", "- apiGroups: [events.k8s.io]\n  resources: [events]\n  verbs: [deletecollection]\n"));
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
        assert_eq!(f[0].location.line, 7);
        assert_eq!(f[0].pointer, "/rules/0");
    }

    #[test]
    fn does_not_fire() {
        assert!(run(
            &DeleteEvents,
            &super::super::role(
                "Role",
                "- apiGroups: [\"\"]\n  resources: [events]\n  verbs: [list]\n"
            )
        )
        .is_empty());
    }
}
