//! PAL-K8S-020 — Wildcards in RBAC rules.
//!
//! **What**: a Role or ClusterRole rule with `*` in `verbs`, `resources` or `apiGroups`.
//! **Why**: wildcards grant every current and future permission in their scope, including
//! resources added later by CRDs; they are rarely what was meant.
//! **Example** (fires): `rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]`.
//! **Remediation**: list the exact groups, resources and verbs the subject needs.
//! **References**: CIS 5.1.3; NSA/CISA "Authentication and authorization"; ATT&CK T1078.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct Wildcard;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-020",
    slug: "wildcard",
    title: "RBAC rule uses wildcards",
    severity: Severity::High,
    category: Category::Rbac,
    frameworks: Frameworks {
        cis: &["5.1.3"],
        nsa: &["Authentication and authorization: RBAC"],
        mitre: &["T1078"],
        ..Frameworks::NONE
    },
    rationale: "A wildcard grants every verb, resource or API group, including ones created later.",
    remediation: "Replace `*` with the explicit apiGroups, resources and verbs required.",
    patch: "rules:\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get, list]\n",
    overrides: &[],
    references: &[super::RBAC_DOC],
};

impl Check for Wildcard {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        for (i, rule) in super::rules(o).iter().enumerate() {
            let mut fields = Vec::new();
            if rule.verbs.iter().any(|v| v == "*") {
                fields.push("verbs");
            }
            if rule.resources.iter().flatten().any(|v| v == "*") {
                fields.push("resources");
            }
            if rule.api_groups.iter().flatten().any(|v| v == "*") {
                fields.push("apiGroups");
            }
            if !fields.is_empty() {
                out.push(Violation::new(
                    format!("rule {i} uses \"*\" in {}", fields.join(", ")),
                    format!("/rules/{i}"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_wildcards() {
        let f = run(&Wildcard, &super::super::role("ClusterRole", "- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get]\n- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n"));
        assert_eq!(
            messages(&f),
            ["rule 1 uses \"*\" in verbs, resources, apiGroups"]
        );
        assert_eq!(f[0].location.line, 10);
        assert_eq!(f[0].object.to_string(), "ClusterRole/r", "cluster scoped");
    }

    #[test]
    fn does_not_fire_on_explicit_rules() {
        assert!(run(
            &Wildcard,
            &super::super::role(
                "Role",
                "- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, list]\n"
            )
        )
        .is_empty());
    }
}
