//! PAL-K8S-084 — cluster-admin bound to users or groups.
//!
//! **What**: a binding of the ClusterRole `cluster-admin` to a User or to a Group other than
//! the broad system groups PAL-K8S-029 reports.
//! **Why**: every cluster-admin identity is a full-cluster compromise if its credentials leak;
//! the list should be short, reviewed, and ideally empty outside break-glass.
//! **Example** (fires): `roleRef: {name: cluster-admin}`, `subjects: [{kind: User, name: alice}]`.
//! **Remediation**: grant people the narrower `admin`/`edit` roles per namespace; keep
//! cluster-admin for break-glass accounts.
//! **References**: CIS 5.1.1; NSA/CISA "Authentication and authorization"; ATT&CK T1078.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct ClusterAdminUser;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-084",
    slug: "cluster_admin_user",
    title: "cluster-admin bound to a user or group",
    severity: Severity::Medium,
    category: Category::Rbac,
    frameworks: Frameworks { cis: &["5.1.1"], nsa: &["Authentication and authorization: RBAC"], mitre: &["T1078"], ..Frameworks::NONE },
    rationale: "Each cluster-admin user or group is a credential whose leak compromises the whole cluster.",
    remediation: "Bind the namespaced admin or edit ClusterRole with RoleBindings instead, and keep cluster-admin for break-glass.",
    patch: "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: admin\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for ClusterAdminUser {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if super::role_ref(o) != Some(("ClusterRole", "cluster-admin")) {
            return;
        }
        for (i, s) in super::subjects(o).iter().enumerate() {
            let broad = s.name == "system:authenticated"
                || s.name.starts_with("system:serviceaccounts")
                || s.name == "system:masters"
                || s.name == "system:unauthenticated";
            if (s.kind == "User" && s.name != "system:anonymous") || (s.kind == "Group" && !broad) {
                out.push(Violation::new(
                    format!("cluster-admin is bound to {} {:?}", s.kind, s.name),
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
    fn fires_on_users_and_groups() {
        assert_eq!(run(&ClusterAdminUser, &binding("ClusterRoleBinding", "cluster-admin", "- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}\n- {kind: Group, name: platform, apiGroup: rbac.authorization.k8s.io}\n")).len(), 2);
    }

    #[test]
    fn does_not_fire_on_service_accounts_or_other_roles() {
        assert!(run(
            &ClusterAdminUser,
            &binding(
                "ClusterRoleBinding",
                "cluster-admin",
                "- {kind: ServiceAccount, name: ci, namespace: x}\n"
            )
        )
        .is_empty());
        assert!(run(
            &ClusterAdminUser,
            &binding(
                "ClusterRoleBinding",
                "view",
                "- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}\n"
            )
        )
        .is_empty());
    }
}
