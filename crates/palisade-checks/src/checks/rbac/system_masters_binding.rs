//! PAL-K8S-030 — Bindings to the `system:masters` group.
//!
//! **What**: a RoleBinding or ClusterRoleBinding with the subject Group `system:masters`.
//! **Why**: `system:masters` bypasses RBAC entirely (it is hard-wired to full access) and its
//! membership comes from client certificates that cannot be revoked; binding roles to it
//! hides that it is in use.
//! **Example** (fires): `subjects: [{kind: Group, name: system:masters}]`.
//! **Remediation**: use a dedicated group bound to the permissions needed.
//! **References**: CIS 5.1.7; ATT&CK T1078.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct SystemMastersBinding;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-030",
    slug: "system_masters_binding",
    title: "Binding to the system:masters group",
    severity: Severity::High,
    category: Category::Rbac,
    frameworks: Frameworks { cis: &["5.1.7"], nsa: &["Authentication and authorization: RBAC"], mitre: &["T1078"], ..Frameworks::NONE },
    rationale: "system:masters cannot be restricted by RBAC and its certificates cannot be revoked.",
    remediation: "Bind to a dedicated group instead of system:masters.",
    patch: "subjects:\n- kind: Group\n  name: cluster-operators\n  apiGroup: rbac.authorization.k8s.io\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for SystemMastersBinding {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        for (i, s) in super::subjects(o).iter().enumerate() {
            if s.kind == "Group" && s.name == "system:masters" {
                out.push(Violation::new(
                    "binding names the group system:masters",
                    format!("/subjects/{i}"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::rbac::binding;
    use crate::util::testing::*;

    #[test]
    fn fires_on_system_masters() {
        assert_eq!(
            run(
                &SystemMastersBinding,
                &binding(
                    "ClusterRoleBinding",
                    "edit",
                    "- {kind: Group, name: system:masters, apiGroup: rbac.authorization.k8s.io}\n"
                )
            )
            .len(),
            1
        );
    }

    #[test]
    fn does_not_fire_otherwise() {
        assert!(run(
            &SystemMastersBinding,
            &binding(
                "ClusterRoleBinding",
                "edit",
                "- {kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}\n"
            )
        )
        .is_empty());
    }
}
