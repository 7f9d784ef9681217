//! PAL-K8S-028 — Permissions granted to anonymous or unauthenticated users.
//!
//! **What**: any RoleBinding or ClusterRoleBinding with the subject User `system:anonymous`
//! or Group `system:unauthenticated`.
//! **Why**: everyone who can reach the API server gets the bound permissions without
//! credentials.
//! **Example** (fires): `subjects: [{kind: Group, name: system:unauthenticated}]`.
//! **Remediation**: remove the subject; grant the permissions to authenticated identities.
//! **References**: CIS 5.1 (RBAC); NSA/CISA "Authentication and authorization"; ATT&CK T1078.001.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct AnonymousBinding;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-028",
    slug: "anonymous_binding",
    title: "Role bound to anonymous or unauthenticated users",
    severity: Severity::Critical,
    category: Category::Rbac,
    frameworks: Frameworks { cis: &["5.1.1"], nsa: &["Authentication and authorization: anonymous requests"], mitre: &["T1078.001"], ..Frameworks::NONE },
    rationale: "Bindings to system:anonymous or system:unauthenticated give permissions to anyone who can reach the API server.",
    remediation: "Remove system:anonymous and system:unauthenticated from the binding's subjects.",
    patch: "subjects:\n- kind: Group\n  name: platform-team\n  apiGroup: rbac.authorization.k8s.io\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for AnonymousBinding {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        for (i, s) in super::subjects(o).iter().enumerate() {
            if (s.kind == "User" && s.name == "system:anonymous")
                || (s.kind == "Group" && s.name == "system:unauthenticated")
            {
                let role = super::role_ref(o)
                    .map(|(k, n)| format!("{k} {n}"))
                    .unwrap_or_default();
                out.push(Violation::new(
                    format!("{role} is bound to {} {:?}", s.kind, s.name),
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
    fn fires_on_anonymous_subjects() {
        let f = run(&AnonymousBinding, &binding("ClusterRoleBinding", "view", "- {kind: User, name: system:anonymous, apiGroup: rbac.authorization.k8s.io}\n- {kind: Group, name: system:unauthenticated, apiGroup: rbac.authorization.k8s.io}\n"));
        assert_eq!(
            messages(&f),
            [
                "ClusterRole view is bound to User \"system:anonymous\"",
                "ClusterRole view is bound to Group \"system:unauthenticated\""
            ]
        );
    }

    #[test]
    fn does_not_fire_on_authenticated_subjects() {
        assert!(run(
            &AnonymousBinding,
            &binding(
                "RoleBinding",
                "view",
                "- {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}\n"
            )
        )
        .is_empty());
    }
}
