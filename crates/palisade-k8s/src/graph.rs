//! The inventory graph: workloads → containers → images; Services and Ingresses → the
//! workloads they reach, and whether that is from the internet; service accounts → bindings →
//! roles, with aggregated ClusterRoles resolved into effective rules.
//!
//! Nodes have stable ids (`Deployment/shop/web`, `Container/Deployment/shop/web/app`,
//! `Image/nginx:1.27`, `Internet`); edges name their relation. Pure function of the objects.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::object::{Object, SourceLocation};
use crate::workload::pod_template;
use crate::Inventory;

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub id: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// `has-container`, `runs-image`, `runs-as`, `selects`, `routes-to`, `exposes`,
    /// `bound-by`, `grants`, `aggregates`.
    pub relation: &'static str,
}

#[derive(Debug, Default, Serialize)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    #[serde(skip)]
    index: std::collections::HashMap<String, usize>,
}

/// One effective RBAC rule of a service account, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EffectiveRule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// `namespace` for a RoleBinding, `cluster` for a ClusterRoleBinding.
    pub scope: String,
    pub via: String,
}

pub const INTERNET: &str = "Internet";

fn object_id(o: &Object) -> String {
    o.display_name()
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

fn labels_match(
    selector: &serde_json::Map<String, Value>,
    labels: &BTreeMap<String, String>,
) -> bool {
    !selector.is_empty()
        && selector.iter().all(|(k, v)| {
            v.as_str()
                .is_some_and(|v| labels.get(k).map(String::as_str) == Some(v))
        })
}

impl Graph {
    fn add(
        &mut self,
        o: Option<&Object>,
        id: String,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> String {
        if !self.index.contains_key(&id) {
            self.index.insert(id.clone(), self.nodes.len());
            self.nodes.push(Node {
                id: id.clone(),
                kind: kind.to_owned(),
                namespace: namespace.map(str::to_owned),
                name: name.to_owned(),
                location: o.map(|o| o.location.clone()),
                properties: BTreeMap::new(),
            });
        }
        id
    }

    fn edge(&mut self, from: &str, to: &str, relation: &'static str) {
        self.edges.push(Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            relation,
        });
    }

    fn set(&mut self, id: &str, key: &str, value: Value) {
        if let Some(&i) = self.index.get(id) {
            self.nodes[i].properties.insert(key.to_owned(), value);
        }
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.index.get(id).map(|&i| &self.nodes[i])
    }

    /// Targets of edges from `id` with `relation`.
    pub fn targets<'a>(
        &'a self,
        id: &'a str,
        relation: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.edges
            .iter()
            .filter(move |e| e.from == id && e.relation == relation)
            .map(|e| e.to.as_str())
    }
}

/// Builds the graph of an inventory.
pub fn build(inv: &Inventory) -> Graph {
    let mut g = Graph::default();
    // Workloads (owners only), their containers and images, and pod labels for selection.
    let mut pods: Vec<(String, String, BTreeMap<String, String>, bool)> = Vec::new(); // (id, ns, labels, host-exposed)
    for o in &inv.objects {
        if inv.template_owned_elsewhere(o) {
            continue;
        }
        let Ok(Some(t)) = pod_template(o) else {
            continue;
        };
        let ns = o.namespace_or_default().unwrap_or("default").to_owned();
        let id = g.add(Some(o), object_id(o), &o.kind, Some(&ns), &o.name);
        for c in t.containers() {
            let cid = g.add(
                None,
                format!("Container/{id}/{}", c.name()),
                "Container",
                Some(&ns),
                c.name(),
            );
            g.edge(&id, &cid, "has-container");
            if let Some(image) = c.container.image.as_deref().filter(|i| !i.is_empty()) {
                let iid = g.add(None, format!("Image/{image}"), "Image", None, image);
                g.edge(&cid, &iid, "runs-image");
            }
        }
        let sa = t
            .spec
            .service_account_name
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "default".into());
        let sa_id = g.add(
            None,
            format!("ServiceAccount/{ns}/{sa}"),
            "ServiceAccount",
            Some(&ns),
            &sa,
        );
        g.edge(&id, &sa_id, "runs-as");
        let host_port = t.containers().iter().any(|c| {
            c.container
                .ports
                .iter()
                .flatten()
                .any(|p| p.host_port.unwrap_or(0) != 0)
        });
        let host_network = t.spec.host_network == Some(true);
        if host_network || host_port {
            g.set(
                &id,
                "hostExposed",
                Value::from(if host_network {
                    "hostNetwork"
                } else {
                    "hostPort"
                }),
            );
        }
        let labels: BTreeMap<String, String> = t
            .metadata
            .labels
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        pods.push((id, ns, labels, host_network || host_port));
    }
    // Services select workloads; LoadBalancer and NodePort ones are reachable from outside.
    let mut service_ids: BTreeMap<(String, String), String> = BTreeMap::new();
    for o in inv.of_kind("Service") {
        let ns = o.namespace_or_default().unwrap_or("default").to_owned();
        let id = g.add(Some(o), object_id(o), "Service", Some(&ns), &o.name);
        let ty = o
            .pointer("/spec/type")
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP")
            .to_owned();
        g.set(&id, "type", Value::from(ty.clone()));
        service_ids.insert((ns.clone(), o.name.clone()), id.clone());
        if let Some(sel) = o.pointer("/spec/selector").and_then(Value::as_object) {
            for (pid, pns, labels, _) in &pods {
                if *pns == ns && labels_match(sel, labels) {
                    g.edge(&id, pid, "selects");
                }
            }
        }
        if matches!(ty.as_str(), "LoadBalancer" | "NodePort")
            || o.pointer("/spec/externalIPs")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
        {
            let internet = g.add(None, INTERNET.into(), "Internet", None, "internet");
            g.edge(&internet, &id, "exposes");
        }
    }
    for o in inv.of_kind("Ingress") {
        let ns = o.namespace_or_default().unwrap_or("default").to_owned();
        let id = g.add(Some(o), object_id(o), "Ingress", Some(&ns), &o.name);
        let internet = g.add(None, INTERNET.into(), "Internet", None, "internet");
        g.edge(&internet, &id, "exposes");
        let backends = crate::ingress_backends(o);
        for b in backends {
            if let Some(sid) = service_ids.get(&(ns.clone(), b)) {
                let sid = sid.clone();
                g.edge(&id, &sid, "routes-to");
            }
        }
    }
    for (pid, _, _, host) in &pods {
        if *host {
            let internet = g.add(None, INTERNET.into(), "Internet", None, "internet");
            g.edge(&internet, pid, "exposes");
        }
    }
    rbac(inv, &mut g);
    // Internet-facing workloads: reachable from Internet through exposes/routes-to/selects.
    let mut next: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    for e in g
        .edges
        .iter()
        .filter(|e| matches!(e.relation, "routes-to" | "selects"))
    {
        next.entry(e.from.as_str()).or_default().push(e.to.as_str());
    }
    let mut facing: BTreeSet<String> = BTreeSet::new();
    let mut frontier: Vec<&str> = g.targets(INTERNET, "exposes").collect();
    while let Some(n) = frontier.pop() {
        if !facing.insert(n.to_owned()) {
            continue;
        }
        frontier.extend(next.get(n).into_iter().flatten().copied());
    }
    for (pid, ..) in &pods {
        let exposed = facing.contains(pid);
        g.set(pid, "internetFacing", Value::Bool(exposed));
    }
    g.edges.sort();
    g.edges.dedup();
    g
}

/// Service accounts → bindings → roles, and each account's effective rules.
fn rbac(inv: &Inventory, g: &mut Graph) {
    let crate::RoleIndex {
        cluster_roles,
        roles,
    } = crate::RoleIndex::new(inv);
    // Aggregated ClusterRoles: the union of the rules of every ClusterRole whose labels match
    // one of the clusterRoleSelectors (matchLabels).
    let rules_of = |o: &Object| -> Vec<(Value, String)> {
        let mut out: Vec<(Value, String)> = o
            .pointer("/rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|r| (r.clone(), format!("{}/{}", o.kind, o.name)))
            .collect();
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
                    let labels: BTreeMap<String, String> = other
                        .labels()
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect();
                    if other.name != o.name && labels_match(ml, &labels) {
                        out.extend(
                            other
                                .pointer("/rules")
                                .and_then(Value::as_array)
                                .into_iter()
                                .flatten()
                                .map(|r| {
                                    (
                                        r.clone(),
                                        format!(
                                            "ClusterRole/{} (aggregated into {})",
                                            other.name, o.name
                                        ),
                                    )
                                }),
                        );
                    }
                }
            }
        }
        out
    };
    let mut effective: BTreeMap<String, BTreeSet<EffectiveRule>> = BTreeMap::new();
    for o in inv
        .objects
        .iter()
        .filter(|o| matches!(o.kind.as_str(), "RoleBinding" | "ClusterRoleBinding"))
    {
        let bid = g.add(
            Some(o),
            object_id(o),
            &o.kind,
            o.namespace_or_default(),
            &o.name,
        );
        let (Some(rk), Some(rn)) = (
            o.pointer("/roleRef/kind").and_then(Value::as_str),
            o.pointer("/roleRef/name").and_then(Value::as_str),
        ) else {
            continue;
        };
        let bns = o.namespace_or_default();
        let role = match rk {
            "ClusterRole" => cluster_roles.get(rn).copied(),
            _ => bns.and_then(|ns| roles.get(&(ns, rn)).copied()),
        };
        let rid = match role {
            Some(r) => g.add(
                Some(r),
                object_id(r),
                &r.kind,
                r.namespace_or_default(),
                &r.name,
            ),
            None => g.add(
                None,
                match (rk, bns) {
                    ("Role", Some(ns)) => format!("Role/{ns}/{rn}"),
                    _ => format!("{rk}/{rn}"),
                },
                rk,
                if rk == "Role" { bns } else { None },
                rn,
            ),
        };
        g.edge(&bid, &rid, "grants");
        let scope = if o.kind == "RoleBinding" {
            bns.unwrap_or("default").to_owned()
        } else {
            "cluster".to_owned()
        };
        let rules = role.map(rules_of).unwrap_or_default();
        for s in o
            .pointer("/subjects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kind = s.get("kind").and_then(Value::as_str).unwrap_or("");
            let name = s.get("name").and_then(Value::as_str).unwrap_or("");
            let sid = if kind == "ServiceAccount" {
                let ns = s
                    .get("namespace")
                    .and_then(Value::as_str)
                    .or(bns)
                    .unwrap_or("default");
                g.add(
                    None,
                    format!("ServiceAccount/{ns}/{name}"),
                    "ServiceAccount",
                    Some(ns),
                    name,
                )
            } else {
                g.add(None, format!("{kind}/{name}"), kind, None, name)
            };
            g.edge(&sid, &bid, "bound-by");
            for (rule, via) in &rules {
                effective
                    .entry(sid.clone())
                    .or_default()
                    .insert(EffectiveRule {
                        api_groups: strings(rule.get("apiGroups")),
                        resources: strings(rule.get("resources")),
                        verbs: strings(rule.get("verbs")),
                        resource_names: strings(rule.get("resourceNames")),
                        scope: scope.clone(),
                        via: format!("{} → {via}", object_id(o)),
                    });
            }
        }
    }
    for (sid, rules) in effective {
        let rules: Vec<EffectiveRule> = rules.into_iter().collect();
        g.set(
            &sid,
            "effectiveRules",
            serde_json::to_value(rules).unwrap_or(Value::Null),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{load_str, LoadOptions, Loaded};

    const APP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      serviceAccountName: web\n      containers: [{name: app, image: \"nginx:1.27\"}, {name: proxy, image: \"envoy:1.30\"}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: worker}}\n    spec:\n      containers: [{name: w, image: \"nginx:1.27\"}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: shop}\nspec:\n  rules:\n  - http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: monitoring}\naggregationRule:\n  clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate-to-monitoring: \"true\"}}]\nrules: []\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: pod-reader\n  labels: {rbac.example.com/aggregate-to-monitoring: \"true\"}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [get, list]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: web-monitoring, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}\nsubjects: [{kind: ServiceAccount, name: web, namespace: shop}]\n";

    fn graph(text: &str) -> Graph {
        let mut out = Loaded::default();
        load_str(text, "g.yaml".into(), &LoadOptions::default(), &mut out);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        build(&Inventory::new(out.objects))
    }

    #[test]
    fn workloads_images_exposure_and_permissions() {
        let g = graph(APP);
        let web = "Deployment/shop/web";
        let containers: Vec<&str> = g.targets(web, "has-container").collect();
        assert_eq!(
            containers,
            [
                "Container/Deployment/shop/web/app",
                "Container/Deployment/shop/web/proxy"
            ]
        );
        let image: Vec<&str> = g
            .targets("Container/Deployment/shop/web/app", "runs-image")
            .collect();
        assert_eq!(image, ["Image/nginx:1.27"]);
        // Both deployments share the image node.
        assert_eq!(
            g.edges
                .iter()
                .filter(|e| e.to == "Image/nginx:1.27")
                .count(),
            2
        );
        assert_eq!(
            g.node(web).unwrap().properties["internetFacing"],
            Value::Bool(true),
            "Internet → Ingress → Service → Deployment"
        );
        assert_eq!(
            g.node("Deployment/shop/worker").unwrap().properties["internetFacing"],
            Value::Bool(false)
        );
        let sa: Vec<&str> = g.targets(web, "runs-as").collect();
        assert_eq!(sa, ["ServiceAccount/shop/web"]);
        let rules = &g.node("ServiceAccount/shop/web").unwrap().properties["effectiveRules"];
        assert_eq!(rules[0]["resources"], serde_json::json!(["pods"]));
        assert_eq!(rules[0]["scope"], "shop");
        assert!(
            rules[0]["via"]
                .as_str()
                .unwrap()
                .contains("aggregated into monitoring"),
            "{rules}"
        );
    }

    #[test]
    fn host_ports_face_the_internet_without_a_service() {
        let g = graph("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers: [{name: c, image: x, ports: [{containerPort: 80, hostPort: 80}]}]\n");
        let n = g.node("Pod/a/p").unwrap();
        assert_eq!(n.properties["internetFacing"], Value::Bool(true));
        assert_eq!(n.properties["hostExposed"], "hostPort");
    }
}
