//! RBAC risk: rules of Roles and ClusterRoles, and bindings.

pub mod anonymous_binding;
pub mod approve_csr;
pub mod cluster_admin_binding;
pub mod cluster_admin_user;
pub mod create_persistent_volumes;
pub mod create_workloads;
pub mod delete_events;
pub mod ephemeral_containers;
pub mod escalate_bind_impersonate;
pub mod nodes_proxy;
pub mod pod_exec_attach;
pub mod port_forward;
pub mod read_secrets;
pub mod system_masters_binding;
pub mod token_request;
pub mod update_workloads;
pub mod webhook_config_write;
pub mod wildcard;
pub mod write_network_policies;
pub mod write_rbac;
pub mod write_secrets;
pub mod write_service_routing;

use k8s_openapi::api::rbac::v1::{PolicyRule, Subject};
use palisade_k8s::Object;
use serde::Deserialize;

use crate::check::Violation;

pub(crate) const RBAC_DOC: &str =
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";

/// The rules of a Role or ClusterRole, typed (an object of another kind has none).
pub(crate) fn rules(o: &Object) -> Vec<PolicyRule> {
    if o.group() != "rbac.authorization.k8s.io"
        || !matches!(o.kind.as_str(), "Role" | "ClusterRole")
    {
        return Vec::new();
    }
    o.pointer("/rules")
        .and_then(|r| Vec::<PolicyRule>::deserialize(r).ok())
        .unwrap_or_default()
}

fn has(list: &Option<Vec<String>>, wanted: &str) -> bool {
    list.as_ref()
        .is_some_and(|l| l.iter().any(|x| x == "*" || x == wanted))
}

/// Whether `rule` grants one of `verbs` on `resource` (`pods/exec` style for subresources) in
/// API group `group`, wildcards included.
pub(crate) fn grants(rule: &PolicyRule, group: &str, resource: &str, verbs: &[&str]) -> bool {
    let verb_ok = rule
        .verbs
        .iter()
        .any(|v| v == "*" || verbs.contains(&v.as_str()));
    let group_ok = has(&rule.api_groups, group);
    let resource_ok = rule.resources.as_ref().is_some_and(|rs| {
        rs.iter().any(|r| {
            r == "*"
                || r == resource
                || resource
                    .split_once('/')
                    .is_some_and(|(base, _)| *r == format!("{base}/*"))
        })
    });
    verb_ok && group_ok && resource_ok
}

/// Fires one violation per rule granting any of `targets` (group, resource) with `verbs`.
pub(crate) fn rule_violations(
    o: &Object,
    targets: &[(&str, &str)],
    verbs: &[&str],
    what: &str,
    out: &mut Vec<Violation>,
) {
    for (i, rule) in rules(o).iter().enumerate() {
        let hit: Vec<&str> = targets
            .iter()
            .filter(|(g, r)| grants(rule, g, r, verbs))
            .map(|(_, r)| *r)
            .collect();
        if !hit.is_empty() {
            out.push(Violation::new(
                format!("rule {i} {what} ({})", hit.join(", ")),
                format!("/rules/{i}"),
            ));
        }
    }
}

/// The subjects of a RoleBinding or ClusterRoleBinding.
pub(crate) fn subjects(o: &Object) -> Vec<Subject> {
    if o.group() != "rbac.authorization.k8s.io"
        || !matches!(o.kind.as_str(), "RoleBinding" | "ClusterRoleBinding")
    {
        return Vec::new();
    }
    o.pointer("/subjects")
        .and_then(|r| Vec::<Subject>::deserialize(r).ok())
        .unwrap_or_default()
}

/// `roleRef.kind/roleRef.name` of a binding.
pub(crate) fn role_ref(o: &Object) -> Option<(&str, &str)> {
    Some((
        o.pointer("/roleRef/kind")?.as_str()?,
        o.pointer("/roleRef/name")?.as_str()?,
    ))
}

#[cfg(test)]
pub(crate) fn role(kind: &str, rules: &str) -> String {
    format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: r\n  namespace: ns\nrules:\n{rules}")
}

#[cfg(test)]
pub(crate) fn binding(kind: &str, role: &str, subjects: &str) -> String {
    format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: b\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {role}\nsubjects:\n{subjects}")
}
