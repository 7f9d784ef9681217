//! PAL-K8S-029 — cluster-admin bound to a service account or a broad group.
//!
//! **What**: a RoleBinding or ClusterRoleBinding whose roleRef is the ClusterRole
//! `cluster-admin` and whose subjects include a ServiceAccount or the groups
//! `system:authenticated`, `system:serviceaccounts` or `system:serviceaccounts:<namespace>`.
//! **Why**: any pod running as that service account (or any authenticated identity) owns the
//! whole cluster; a single compromised pod becomes a cluster compromise.
//! **Example** (fires): `roleRef: {kind: ClusterRole, name: cluster-admin}` with
//! `subjects: [{kind: ServiceAccount, name: ci, namespace: tools}]`.
//! **Remediation**: bind a role with only the permissions the workload needs.
//! **References**: CIS 5.1.1; NSA/CISA "Authentication and authorization"; ATT&CK T1078.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct ClusterAdminBinding;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-029",
    slug: "cluster_admin_binding",
    title: "cluster-admin bound to a service account or broad group",
    severity: Severity::Critical,
    category: Category::Rbac,
    frameworks: Frameworks { cis: &["5.1.1"], nsa: &["Authentication and authorization: RBAC"], mitre: &["T1078"], ..Frameworks::NONE },
    rationale: "Binding cluster-admin to workloads or broad groups turns any compromise of them into full cluster control.",
    remediation: "Bind a narrowly scoped Role instead of cluster-admin, in the namespace where it is needed.",
    patch: "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: app-deployer\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

fn broad_group(name: &str) -> bool {
    name == "system:authenticated"
        || name == "system:serviceaccounts"
        || name.starts_with("system:serviceaccounts:")
}

impl Check for ClusterAdminBinding {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if super::role_ref(o) != Some(("ClusterRole", "cluster-admin")) {
            return;
        }
        for (i, s) in super::subjects(o).iter().enumerate() {
            if s.kind == "ServiceAccount" || (s.kind == "Group" && broad_group(&s.name)) {
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
    fn fires_on_service_accounts_and_broad_groups() {
        let f = run(&ClusterAdminBinding, &binding("ClusterRoleBinding", "cluster-admin", "- {kind: ServiceAccount, name: ci, namespace: tools}\n- {kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}\n- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}\n"));
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].location.line, 10);
    }

    #[test]
    fn does_not_fire_on_people_or_other_roles() {
        assert!(run(
            &ClusterAdminBinding,
            &binding(
                "ClusterRoleBinding",
                "cluster-admin",
                "- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}\n"
            )
        )
        .is_empty());
        assert!(run(
            &ClusterAdminBinding,
            &binding(
                "ClusterRoleBinding",
                "view",
                "- {kind: ServiceAccount, name: ci, namespace: tools}\n"
            )
        )
        .is_empty());
    }
}
