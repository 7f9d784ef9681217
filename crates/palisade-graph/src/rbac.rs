//! RBAC: who (service account, user, group) may do what where, with the binding that grants
//! it. Aggregated ClusterRoles are resolved (matchLabels selectors); a service account also
//! holds what its implicit groups are granted (`system:serviceaccounts`,
//! `system:serviceaccounts:<ns>`, `system:authenticated`).

use std::collections::{BTreeMap, HashMap};

use palisade_k8s::{Inventory, Object};
use serde_json::Value;

use crate::model::{rel, Graph, NodeId, NodeKind};

/// One rule an identity holds, and where: `scope` is the namespace of a RoleBinding, `None`
/// for a ClusterRoleBinding.
#[derive(Debug, Clone)]
pub struct Perm {
    pub scope: Option<String>,
    pub groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    pub names: Vec<String>,
    /// `ClusterRoleBinding/x → ClusterRole/y`.
    pub via: String,
    /// The binding's key, so a fix can name it.
    pub binding: String,
}

fn any_of(list: &[String], want: &str) -> bool {
    list.iter().any(|x| x == "*" || x == want)
}

impl Perm {
    /// Whether this rule allows `verb` on `group`/`resource` (`pods/exec` for subresources)
    /// for any object name (rules limited by `resourceNames` do not count, except for
    /// `create`, which names cannot limit).
    pub fn allows(&self, verb: &str, group: &str, resource: &str) -> bool {
        let res_ok = self.resources.iter().any(|r| {
            r == "*"
                || r == resource
                || resource
                    .split_once('/')
                    .is_some_and(|(base, _)| r == &format!("{base}/*"))
        });
        any_of(&self.verbs, verb)
            && any_of(&self.groups, group)
            && res_ok
            && (self.names.is_empty() || verb == "create")
    }

    pub fn describe(&self, what: &str) -> String {
        let scope = match &self.scope {
            Some(ns) => format!("in namespace {ns}"),
            None => "cluster-wide".to_owned(),
        };
        format!("{what} {scope} ({})", self.via)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    ServiceAccount,
    User,
    Group,
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub node: NodeId,
    pub kind: IdKind,
    pub namespace: Option<String>,
    pub name: String,
    pub perms: Vec<Perm>,
    /// Roles bound to it (for permission discovery).
    pub roles: Vec<NodeId>,
    /// `automountServiceAccountToken` of a ServiceAccount object (None: not set / not seen).
    pub automount: Option<bool>,
}

/// Where a grant holds: everywhere, or in these namespaces.
#[derive(Debug, Default)]
pub struct Grant<'a> {
    pub cluster: Option<&'a Perm>,
    pub namespaces: BTreeMap<&'a str, &'a Perm>,
}

impl<'a> Grant<'a> {
    pub fn is_empty(&self) -> bool {
        self.cluster.is_none() && self.namespaces.is_empty()
    }

    /// The grant in namespace `ns`, if any.
    pub fn in_ns(&self, ns: &str) -> Option<&'a Perm> {
        self.cluster.or_else(|| self.namespaces.get(ns).copied())
    }
}

impl Identity {
    /// Where this identity may do any of `verbs` on `group`/`resource`.
    pub fn grant(&self, verbs: &[&str], group: &str, resource: &str) -> Grant<'_> {
        let mut g = Grant::default();
        for p in &self.perms {
            if !verbs.iter().any(|v| p.allows(v, group, resource)) {
                continue;
            }
            match &p.scope {
                None => {
                    g.cluster.get_or_insert(p);
                }
                Some(ns) => {
                    g.namespaces.entry(ns.as_str()).or_insert(p);
                }
            }
        }
        g
    }

    pub fn key(&self) -> String {
        match self.kind {
            IdKind::ServiceAccount => format!(
                "ServiceAccount/{}/{}",
                self.namespace.as_deref().unwrap_or("default"),
                self.name
            ),
            IdKind::User => format!("User/{}", self.name),
            IdKind::Group => format!("Group/{}", self.name),
        }
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The identity table, indexed by `(kind, namespace, name)`.
#[derive(Debug, Default)]
pub struct Identities {
    pub list: Vec<Identity>,
    index: HashMap<(u8, String, String), usize>,
}

impl Identities {
    pub fn ensure(
        &mut self,
        g: &mut Graph,
        kind: IdKind,
        namespace: Option<&str>,
        name: &str,
    ) -> usize {
        let ns = if kind == IdKind::ServiceAccount {
            Some(namespace.unwrap_or("default"))
        } else {
            None
        };
        let k = (kind as u8, ns.unwrap_or("").to_owned(), name.to_owned());
        if let Some(&i) = self.index.get(&k) {
            return i;
        }
        let node = match kind {
            IdKind::ServiceAccount => g.add(
                NodeKind::ServiceAccount,
                format!("sa/{}/{name}", ns.unwrap_or("default")),
                name,
                ns,
            ),
            IdKind::User => g.add(NodeKind::Identity, format!("user/{name}"), name, None),
            IdKind::Group => g.add(NodeKind::Identity, format!("group/{name}"), name, None),
        };
        if kind != IdKind::ServiceAccount {
            g.set(
                node,
                "identity_type",
                if kind == IdKind::User {
                    "user"
                } else {
                    "group"
                },
            );
        }
        self.list.push(Identity {
            node,
            kind,
            namespace: ns.map(str::to_owned),
            name: name.to_owned(),
            perms: Vec::new(),
            roles: Vec::new(),
            automount: None,
        });
        self.index.insert(k, self.list.len() - 1);
        self.list.len() - 1
    }

    pub fn find(&self, kind: IdKind, namespace: Option<&str>, name: &str) -> Option<usize> {
        let ns = if kind == IdKind::ServiceAccount {
            namespace.unwrap_or("default")
        } else {
            ""
        };
        self.index
            .get(&(kind as u8, ns.to_owned(), name.to_owned()))
            .copied()
    }
}

fn labels_match(selector: &serde_json::Map<String, Value>, o: &Object) -> bool {
    !selector.is_empty()
        && selector
            .iter()
            .all(|(k, v)| v.as_str().is_some_and(|v| o.label(k) == Some(v)))
}

/// Reads roles and bindings into identities with their permissions; adds role, binding and
/// identity nodes and the structural `binds` / `grants` edges.
pub fn load(inv: &Inventory, g: &mut Graph, ids: &mut Identities) {
    let palisade_k8s::RoleIndex {
        cluster_roles,
        roles,
    } = palisade_k8s::RoleIndex::new(inv);
    for o in inv.of_kind("ServiceAccount") {
        let i = ids.ensure(g, IdKind::ServiceAccount, o.namespace_or_default(), &o.name);
        ids.list[i].automount = o
            .pointer("/automountServiceAccountToken")
            .and_then(Value::as_bool);
    }
    let rules_of = |o: &Object| -> Vec<Value> {
        let mut out: Vec<Value> = o
            .pointer("/rules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if o.kind == "ClusterRole" {
            for sel in o
                .pointer("/aggregationRule/clusterRoleSelectors")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(ml) = sel.get("matchLabels").and_then(Value::as_object) else {
                    continue;
                };
                for other in cluster_roles.values() {
                    if other.name != o.name && labels_match(ml, other) {
                        out.extend(
                            other
                                .pointer("/rules")
                                .and_then(Value::as_array)
                                .cloned()
                                .unwrap_or_default(),
                        );
                    }
                }
            }
        }
        out
    };
    for b in inv
        .objects
        .iter()
        .filter(|o| matches!(o.kind.as_str(), "RoleBinding" | "ClusterRoleBinding"))
    {
        let bns = b.namespace_or_default();
        let bkey = b.display_name();
        let bnode = g.add(NodeKind::Binding, format!("binding/{bkey}"), &b.name, bns);
        g.set(bnode, "binding_kind", b.kind.as_str());
        let (Some(rk), Some(rn)) = (
            b.pointer("/roleRef/kind").and_then(Value::as_str),
            b.pointer("/roleRef/name").and_then(Value::as_str),
        ) else {
            continue;
        };
        let role = match rk {
            "ClusterRole" => cluster_roles.get(rn).copied(),
            _ => bns.and_then(|ns| roles.get(&(ns, rn)).copied()),
        };
        let (rkey, rns) = match (rk, bns) {
            ("Role", Some(ns)) => (format!("role/Role/{ns}/{rn}"), Some(ns)),
            _ => (format!("role/ClusterRole/{rn}"), None),
        };
        let rnode = g.add(NodeKind::Role, rkey, rn, rns);
        g.set(rnode, "role_kind", rk);
        g.set(rnode, "defined", role.is_some());
        g.relate(bnode, rnode, rel::GRANTS);
        g.set(bnode, "role", format!("{rk}/{rn}"));
        let scope = if b.kind == "RoleBinding" {
            Some(bns.unwrap_or("default").to_owned())
        } else {
            None
        };
        let rules = role.map(rules_of).unwrap_or_default();
        let via = format!("{bkey} → {rk}/{rn}");
        for s in b
            .pointer("/subjects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kind = s.get("kind").and_then(Value::as_str).unwrap_or("");
            let name = s.get("name").and_then(Value::as_str).unwrap_or("");
            if name.is_empty() {
                continue;
            }
            let i = match kind {
                "ServiceAccount" => {
                    let ns = s.get("namespace").and_then(Value::as_str).or(bns);
                    ids.ensure(g, IdKind::ServiceAccount, ns, name)
                }
                "User" => ids.ensure(g, IdKind::User, None, name),
                "Group" => ids.ensure(g, IdKind::Group, None, name),
                _ => continue,
            };
            let id = &mut ids.list[i];
            g.relate(bnode, id.node, rel::BINDS);
            id.roles.push(rnode);
            for r in &rules {
                id.perms.push(Perm {
                    scope: scope.clone(),
                    groups: strings(r.get("apiGroups")),
                    resources: strings(r.get("resources")),
                    verbs: strings(r.get("verbs")),
                    names: strings(r.get("resourceNames")),
                    via: via.clone(),
                    binding: bkey.clone(),
                });
            }
        }
    }
}

/// Gives every service account what its implicit groups hold, and every user what
/// `system:authenticated` holds.
pub fn inherit_groups(ids: &mut Identities) {
    let group_perms = |ids: &Identities, name: &str| -> Vec<Perm> {
        ids.find(IdKind::Group, None, name)
            .map(|i| ids.list[i].perms.clone())
            .unwrap_or_default()
    };
    let authenticated = group_perms(ids, "system:authenticated");
    let all_sas = group_perms(ids, "system:serviceaccounts");
    for i in 0..ids.list.len() {
        let extra: Vec<Perm> = match ids.list[i].kind {
            IdKind::ServiceAccount => {
                let ns = ids.list[i].namespace.clone().unwrap_or_default();
                let mut v = group_perms(ids, &format!("system:serviceaccounts:{ns}"));
                v.extend(all_sas.iter().cloned());
                v.extend(authenticated.iter().cloned());
                v
            }
            IdKind::User => authenticated.clone(),
            IdKind::Group => continue,
        };
        ids.list[i].perms.extend(extra);
    }
}
