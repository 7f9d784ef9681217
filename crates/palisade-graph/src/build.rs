//! Inputs → graph: the facts every edge kind reads ([`Ctx`]), then every edge kind of the
//! registry, then the properties queries want on containers and workloads (exposure,
//! vulnerabilities, what they reach).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use palisade_k8s::{pod_template, Inventory, Object};
use palisade_model::{ScanReport, Severity};
use serde_json::Value;

use crate::edges::{Out, EDGE_KINDS};
use crate::model::{rel, Edge, Graph, NodeId, NodeKind};
use crate::rbac::{self, IdKind, Identities};

/// Everything the graph is built from.
#[derive(Debug, Default)]
pub struct Inputs {
    pub inventory: Inventory,
    /// `palisade image scan -f json` documents.
    pub reports: Vec<ScanReport>,
    /// Alerts (sensor or audit JSON lines), as JSON values.
    pub alerts: Vec<Value>,
}

#[derive(Debug, Clone)]
pub struct Mount {
    /// Index into the workload's `volumes`.
    pub volume: usize,
    pub read_only: bool,
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct Container {
    pub node: NodeId,
    pub name: String,
    pub image: Option<NodeId>,
    pub image_ref: String,
    pub privileged: bool,
    pub caps: Vec<String>,
    pub mounts: Vec<Mount>,
    /// Container ports (number, name).
    pub ports: Vec<(i32, String)>,
    pub host_ports: Vec<i32>,
    /// Secrets read through env (`secretKeyRef`, `envFrom`).
    pub env_secrets: Vec<String>,
}

impl Container {
    pub fn has_cap(&self, cap: &str) -> bool {
        self.caps
            .iter()
            .any(|c| c == "ALL" || c.trim_start_matches("CAP_") == cap)
    }
}

#[derive(Debug, Clone)]
pub struct Volume {
    pub name: String,
    pub host_path: Option<String>,
    pub secret: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Workload {
    pub node: NodeId,
    /// `Deployment/shop/web`: how fixes name it.
    pub display: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// Index into `Ctx::ids`.
    pub sa: usize,
    pub automount: Option<bool>,
    pub host_pid: bool,
    pub host_network: bool,
    pub host_ipc: bool,
    pub share_pid: bool,
    pub containers: Vec<Container>,
    pub volumes: Vec<Volume>,
    /// The nodes its pods run on (all known nodes when not known).
    pub nodes: Vec<NodeId>,
}

impl Workload {
    /// Whether the pod gets a service-account token (pod setting, else the account's).
    pub fn token_mounted(&self, ids: &Identities) -> bool {
        self.automount
            .or(ids.list[self.sa].automount)
            .unwrap_or(true)
    }
}

#[derive(Debug, Clone)]
pub struct Service {
    pub node: NodeId,
    pub namespace: String,
    pub name: String,
    pub workloads: Vec<usize>,
    /// `targetPort` (or `port`) of each service port, as written (number or name).
    pub target_ports: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Exposure {
    pub node: NodeId,
    /// `ingress`, `load-balancer`, `node-port`, `external-ip`.
    pub kind: &'static str,
    /// The object that makes it (`Ingress/shop/web`).
    pub display: String,
    pub services: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Namespace {
    pub node: NodeId,
    pub secrets: NodeId,
    /// `pod-security.kubernetes.io/enforce`.
    pub psa_enforce: Option<String>,
    /// A NetworkPolicy restricts egress of every pod and does not allow 169.254.169.254.
    pub metadata_blocked: bool,
}

impl Namespace {
    /// Whether Pod Security admission refuses privileged pods here.
    pub fn psa_blocks_privileged(&self) -> bool {
        matches!(
            self.psa_enforce.as_deref(),
            Some("baseline") | Some("restricted")
        )
    }
}

#[derive(Debug, Clone)]
pub struct SecretFacts {
    pub node: NodeId,
    pub namespace: String,
    pub name: String,
    pub secret_type: String,
    /// For `kubernetes.io/service-account-token` secrets: the account.
    pub service_account: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Vuln {
    pub node: NodeId,
    pub id: String,
    pub severity: Severity,
    pub kev: bool,
    pub epss: f64,
    /// Remote code execution: an RCE weakness (CWE) or a network vector with no privileges
    /// and high impact.
    pub rce: bool,
    /// Exploitable over the network (CVSS `AV:N`, or no vector known).
    pub network: bool,
    pub package: String,
    pub fixed_version: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AlertFacts {
    pub node: NodeId,
    pub rule: String,
    pub workload: Option<usize>,
}

/// The facts edge kinds read, beside the graph they add edges to.
#[derive(Debug)]
pub struct Ctx {
    pub g: Graph,
    pub cluster: NodeId,
    pub metadata: NodeId,
    /// Kubernetes nodes, or the single `node/*` when none is known.
    pub nodes: Vec<NodeId>,
    pub namespaces: BTreeMap<String, Namespace>,
    pub workloads: Vec<Workload>,
    pub services: Vec<Service>,
    pub exposures: Vec<Exposure>,
    /// `exposure/nodes`: node ports are open on every node (a NodePort or LoadBalancer
    /// service exists).
    pub nodes_exposed: Option<NodeId>,
    pub ids: Identities,
    pub secrets: Vec<SecretFacts>,
    pub vulns: Vec<Vuln>,
    /// Image node → indexes into `vulns`.
    pub image_vulns: HashMap<NodeId, Vec<usize>>,
    pub alerts: Vec<AlertFacts>,
}

impl Ctx {
    pub fn ns(&self, name: &str) -> Option<&Namespace> {
        self.namespaces.get(name)
    }

    /// Namespaces a grant covers: all of them for a cluster-wide grant.
    pub fn grant_namespaces<'a>(
        &'a self,
        grant: &'a rbac::Grant<'a>,
    ) -> Vec<(&'a str, &'a rbac::Perm)> {
        match grant.cluster {
            Some(p) => self.namespaces.keys().map(|n| (n.as_str(), p)).collect(),
            None => grant.namespaces.iter().map(|(n, p)| (*n, *p)).collect(),
        }
    }

    /// Service accounts of namespace `ns` (indexes into `ids.list`).
    pub fn service_accounts_in<'a>(&'a self, ns: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.ids.list.iter().enumerate().filter_map(move |(i, id)| {
            (id.kind == IdKind::ServiceAccount && id.namespace.as_deref() == Some(ns)).then_some(i)
        })
    }

    pub fn workloads_in<'a>(&'a self, ns: &'a str) -> impl Iterator<Item = &'a Workload> + 'a {
        self.workloads.iter().filter(move |w| w.namespace == ns)
    }

    /// Ensures the namespace's nodes exist (namespaces referenced without an object).
    fn ensure_ns(&mut self, name: &str) {
        if self.namespaces.contains_key(name) {
            return;
        }
        let node = self
            .g
            .add(NodeKind::Namespace, format!("namespace/{name}"), name, None);
        let secrets = self.g.add(
            NodeKind::NamespaceSecrets,
            format!("secrets/{name}"),
            name,
            Some(name),
        );
        self.namespaces.insert(
            name.to_owned(),
            Namespace {
                node,
                secrets,
                psa_enforce: None,
                metadata_blocked: false,
            },
        );
    }
}

const RCE_CWES: &[&str] = &[
    "CWE-94", "CWE-77", "CWE-78", "CWE-502", "CWE-787", "CWE-917", "CWE-1336", "CWE-434",
    "CWE-416", "CWE-119", "CWE-120", "CWE-95",
];

/// `nginx`, `docker.io/library/nginx:latest` and `index.docker.io/library/nginx` are one
/// image; a digest reference keeps its digest.
pub fn normalize_ref(r: &str) -> String {
    let r = r.trim();
    let (name, digest) = match r.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (r, None),
    };
    let (repo, tag) = match name.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, Some(tag)),
        _ => (name, None),
    };
    let repo = repo
        .strip_prefix("docker.io/")
        .or_else(|| repo.strip_prefix("index.docker.io/"))
        .unwrap_or(repo);
    let repo = repo.strip_prefix("library/").unwrap_or(repo);
    match (tag, digest) {
        (_, Some(d)) => format!("{repo}@{d}"),
        (Some(t), None) => format!("{repo}:{t}"),
        (None, None) => format!("{repo}:latest"),
    }
}

fn digest_of(r: &str) -> Option<&str> {
    r.split_once('@').map(|(_, d)| d)
}

/// Builds the graph.
pub fn build(inputs: &Inputs) -> Ctx {
    let inv = &inputs.inventory;
    let mut g = Graph::default();
    let cluster = g.add(NodeKind::Cluster, "cluster".into(), "cluster-admin", None);
    let metadata = g.add(
        NodeKind::MetadataEndpoint,
        "metadata".into(),
        "169.254.169.254",
        None,
    );
    let mut cx = Ctx {
        g,
        cluster,
        metadata,
        nodes: Vec::new(),
        namespaces: BTreeMap::new(),
        workloads: Vec::new(),
        services: Vec::new(),
        exposures: Vec::new(),
        nodes_exposed: None,
        ids: Identities::default(),
        secrets: Vec::new(),
        vulns: Vec::new(),
        image_vulns: HashMap::new(),
        alerts: Vec::new(),
    };
    for o in inv.of_kind("Node") {
        let n =
            cx.g.add(NodeKind::Node, format!("node/{}", o.name), &o.name, None);
        cx.nodes.push(n);
    }
    if cx.nodes.is_empty() {
        let n = cx.g.add(NodeKind::Node, "node/*".into(), "*", None);
        cx.g.set(n, "any_node", true);
        cx.nodes.push(n);
    }
    for o in inv.of_kind("Namespace") {
        cx.ensure_ns(&o.name);
        let ns = cx.namespaces.get_mut(&o.name).expect("just added");
        ns.psa_enforce = o
            .label("pod-security.kubernetes.io/enforce")
            .map(str::to_owned);
        if let Some(level) = &ns.psa_enforce {
            let node = ns.node;
            cx.g.set(node, "psa_enforce", level.as_str());
        }
    }
    for o in &inv.objects {
        if let Some(ns) = o.namespace_or_default() {
            cx.ensure_ns(ns);
        }
    }
    network_policies(inv, &mut cx);
    rbac::load(inv, &mut cx.g, &mut cx.ids);
    rbac::inherit_groups(&mut cx.ids);
    workloads(inv, &mut cx);
    services(inv, &mut cx);
    secrets(inv, &mut cx);
    images(&inputs.reports, &mut cx);
    alerts(&inputs.alerts, &mut cx);
    let ns_nodes: Vec<(NodeId, String)> = cx
        .workloads
        .iter()
        .map(|w| (w.node, w.namespace.clone()))
        .collect();
    for (w, ns) in ns_nodes {
        let nsn = cx.namespaces[&ns].node;
        cx.g.relate(w, nsn, rel::IN_NAMESPACE);
    }
    // Policy violations per workload, from the posture checks.
    let eval = palisade_checks::evaluate(
        inv,
        palisade_checks::CHECKS,
        &palisade_checks::Settings::default(),
    );
    let mut violations: HashMap<String, (u64, u64)> = HashMap::new();
    for f in &eval.findings {
        let e = violations.entry(f.object.to_string()).or_default();
        e.0 += 1;
        if f.severity >= Severity::High {
            e.1 += 1;
        }
    }
    for w in &cx.workloads {
        let (all, high) = violations.get(&w.display).copied().unwrap_or_default();
        cx.g.set(w.node, "policy_violations", all);
        cx.g.set(w.node, "policy_violations_high", high);
    }
    // Attack edges.
    let mut out = Out::default();
    for kind in EDGE_KINDS {
        out.kind = kind.id;
        (kind.detect)(&cx, &mut out);
    }
    cx.g.edges.extend(out.edges);
    derive(&mut cx);
    cx
}

fn network_policies(inv: &Inventory, cx: &mut Ctx) {
    for o in inv.of_kind("NetworkPolicy") {
        let Some(ns) = o.namespace_or_default() else {
            continue;
        };
        let all_pods = o
            .pointer("/spec/podSelector")
            .and_then(Value::as_object)
            .is_none_or(|m| {
                m.values()
                    .all(|v| v.as_object().is_none_or(|x| x.is_empty()))
            });
        let egress = o
            .pointer("/spec/policyTypes")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|t| t == "Egress"));
        if !all_pods || !egress {
            continue;
        }
        let allows_metadata = o
            .pointer("/spec/egress")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|rule| {
                let to = rule.get("to").and_then(Value::as_array);
                match to {
                    None => true,
                    Some(peers) if peers.is_empty() => true,
                    Some(peers) => peers.iter().any(|p| {
                        p.pointer("/ipBlock/cidr").and_then(Value::as_str) == Some("0.0.0.0/0")
                            && !p
                                .pointer("/ipBlock/except")
                                .and_then(Value::as_array)
                                .is_some_and(|e| {
                                    e.iter().any(|x| {
                                        x.as_str().is_some_and(|s| s.starts_with("169.254."))
                                    })
                                })
                    }),
                }
            });
        if !allows_metadata {
            if let Some(n) = cx.namespaces.get_mut(ns) {
                n.metadata_blocked = true;
            }
        }
    }
}

fn workloads(inv: &Inventory, cx: &mut Ctx) {
    // Where pods run: controller chain → the owner's key, and nodeName.
    let mut placed: HashMap<String, BTreeSet<NodeId>> = HashMap::new();
    let mut pod_owner: Vec<(&Object, String)> = Vec::new();
    let by_key: HashMap<(&str, &str, &str), &Object> = inv
        .objects
        .iter()
        .map(|o| {
            (
                (
                    o.kind.as_str(),
                    o.namespace_or_default().unwrap_or(""),
                    o.name.as_str(),
                ),
                o,
            )
        })
        .collect();
    for o in inv.of_kind("Pod") {
        let mut top = o;
        for _ in 0..4 {
            let Some((k, n)) = top.controller() else {
                break;
            };
            match by_key.get(&(k, o.namespace_or_default().unwrap_or(""), n)) {
                Some(owner) => top = owner,
                None => break,
            }
        }
        let top_key = top.display_name();
        if let Some(node) = o.pointer("/spec/nodeName").and_then(Value::as_str) {
            let n = cx.g.add(NodeKind::Node, format!("node/{node}"), node, None);
            if !cx.nodes.contains(&n) {
                cx.nodes.push(n);
            }
            placed.entry(top_key.clone()).or_default().insert(n);
        }
        pod_owner.push((o, top_key));
    }
    // With real nodes known, the `*` placeholder only stands for pods placed nowhere.
    let all_nodes: Vec<NodeId> = cx.nodes.clone();
    for o in &inv.objects {
        if inv.template_owned_elsewhere(o) {
            continue;
        }
        let t = match pod_template(o) {
            Ok(Some(t)) => t,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!("{}: {e}", o.location);
                continue;
            }
        };
        let ns = o.namespace_or_default().unwrap_or("default").to_owned();
        let display = o.display_name();
        let node = cx.g.add(
            NodeKind::Workload,
            format!("workload/{display}"),
            &o.name,
            Some(&ns),
        );
        cx.g.set(node, "workload_kind", o.kind.as_str());
        cx.g.set(node, "source", o.location.to_string());
        let spec = &t.spec;
        let sa_name = spec
            .service_account_name
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "default".into());
        let sa = cx
            .ids
            .ensure(&mut cx.g, IdKind::ServiceAccount, Some(&ns), &sa_name);
        let sa_node = cx.ids.list[sa].node;
        cx.g.relate(node, sa_node, rel::RUNS_AS);
        let volumes: Vec<Volume> = spec
            .volumes
            .iter()
            .flatten()
            .map(|v| Volume {
                name: v.name.clone(),
                host_path: v.host_path.as_ref().map(|h| h.path.clone()),
                secret: v.secret.as_ref().and_then(|s| s.secret_name.clone()),
            })
            .collect();
        let mut containers = Vec::new();
        for c in t.containers() {
            let k = &c.container;
            let cnode = cx.g.add(
                NodeKind::Container,
                format!("container/{display}/{}", k.name),
                &k.name,
                Some(&ns),
            );
            cx.g.relate(node, cnode, rel::HAS_CONTAINER);
            let image_ref = k.image.clone().unwrap_or_default();
            let image = (!image_ref.is_empty()).then(|| {
                let norm = normalize_ref(&image_ref);
                let i =
                    cx.g.add(NodeKind::Image, format!("image/{norm}"), &image_ref, None);
                cx.g.relate(cnode, i, rel::RUNS_IMAGE);
                i
            });
            let sc = k.security_context.as_ref();
            let privileged = sc.and_then(|s| s.privileged).unwrap_or(false);
            let caps: Vec<String> = sc
                .and_then(|s| s.capabilities.as_ref())
                .and_then(|c| c.add.clone())
                .unwrap_or_default();
            let mounts: Vec<Mount> = k
                .volume_mounts
                .iter()
                .flatten()
                .filter_map(|m| {
                    Some(Mount {
                        volume: volumes.iter().position(|v| v.name == m.name)?,
                        read_only: m.read_only.unwrap_or(false),
                        path: m.mount_path.clone(),
                    })
                })
                .collect();
            let ports: Vec<(i32, String)> = k
                .ports
                .iter()
                .flatten()
                .map(|p| (p.container_port, p.name.clone().unwrap_or_default()))
                .collect();
            let mut host_ports: Vec<i32> = k
                .ports
                .iter()
                .flatten()
                .filter_map(|p| p.host_port.filter(|&h| h != 0))
                .collect();
            if spec.host_network == Some(true) {
                host_ports.extend(ports.iter().map(|p| p.0));
            }
            let mut env_secrets: Vec<String> = k
                .env
                .iter()
                .flatten()
                .filter_map(|e| {
                    e.value_from
                        .as_ref()?
                        .secret_key_ref
                        .as_ref()
                        .map(|s| s.name.clone())
                })
                .collect();
            env_secrets.extend(
                k.env_from
                    .iter()
                    .flatten()
                    .filter_map(|e| e.secret_ref.as_ref().map(|s| s.name.clone())),
            );
            cx.g.set(cnode, "workload", display.as_str());
            cx.g.set(cnode, "image", image_ref.as_str());
            cx.g.set(cnode, "privileged", privileged);
            cx.g.set(cnode, "capabilities", caps.join(","));
            cx.g.set(
                cnode,
                "host_ports",
                host_ports
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            );
            cx.g.set(
                cnode,
                "run_as_root",
                sc.and_then(|s| s.run_as_user).map(|u| u == 0).unwrap_or(
                    sc.and_then(|s| s.run_as_non_root) != Some(true)
                        && t.spec
                            .security_context
                            .as_ref()
                            .and_then(|s| s.run_as_non_root)
                            != Some(true),
                ),
            );
            containers.push(Container {
                node: cnode,
                name: k.name.clone(),
                image,
                image_ref,
                privileged,
                caps,
                mounts,
                ports,
                host_ports,
                env_secrets,
            });
        }
        for (i, v) in volumes.iter().enumerate() {
            if v.host_path.is_none() && v.secret.is_none() {
                continue;
            }
            let vnode = cx.g.add(
                NodeKind::Volume,
                format!("volume/{display}/{}", v.name),
                &v.name,
                Some(&ns),
            );
            if let Some(p) = &v.host_path {
                cx.g.set(vnode, "host_path", p.as_str());
            }
            if let Some(s) = &v.secret {
                cx.g.set(vnode, "secret", s.as_str());
            }
            for c in &containers {
                if let Some(m) = c.mounts.iter().find(|m| m.volume == i) {
                    cx.g.relate(c.node, vnode, rel::MOUNTS);
                    cx.g.set(vnode, "read_only", m.read_only);
                }
            }
        }
        let labels: BTreeMap<String, String> = t
            .metadata
            .labels
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        let nodes = match placed.get(&display) {
            Some(set) => set.iter().copied().collect(),
            None => all_nodes.clone(),
        };
        let host_pid = spec.host_pid == Some(true);
        let host_network = spec.host_network == Some(true);
        let host_ipc = spec.host_ipc == Some(true);
        cx.g.set(node, "host_pid", host_pid);
        cx.g.set(node, "host_network", host_network);
        cx.g.set(node, "host_ipc", host_ipc);
        cx.g.set(node, "service_account", sa_name.as_str());
        for c in &containers {
            cx.g.set(c.node, "host_pid", host_pid);
            cx.g.set(c.node, "host_network", host_network);
        }
        cx.workloads.push(Workload {
            node,
            display,
            kind: o.kind.clone(),
            namespace: ns,
            name: o.name.clone(),
            labels,
            sa,
            automount: spec.automount_service_account_token,
            host_pid,
            host_network,
            host_ipc,
            share_pid: spec.share_process_namespace == Some(true),
            containers,
            volumes,
            nodes,
        });
    }
    // Pods: linked to their top workload and their node.
    let wl_index: HashMap<String, NodeId> = cx
        .workloads
        .iter()
        .map(|w| (w.display.clone(), w.node))
        .collect();
    for (o, top) in pod_owner {
        let ns = o.namespace_or_default().unwrap_or("default");
        let p = cx.g.add(
            NodeKind::Pod,
            format!("pod/{ns}/{}", o.name),
            &o.name,
            Some(ns),
        );
        if let Some(&w) = wl_index.get(&top) {
            cx.g.relate(w, p, rel::HAS_POD);
        }
        if let Some(node) = o.pointer("/spec/nodeName").and_then(Value::as_str) {
            if let Some(n) = cx.g.id(&format!("node/{node}")) {
                cx.g.relate(p, n, rel::SCHEDULED_ON);
                cx.g.set(p, "node", node);
            }
        }
        if let Some(phase) = o.pointer("/status/phase").and_then(Value::as_str) {
            cx.g.set(p, "phase", phase);
        }
    }
}

fn services(inv: &Inventory, cx: &mut Ctx) {
    let mut by_name: HashMap<(String, String), usize> = HashMap::new();
    let mut node_exposed = false;
    for o in inv.of_kind("Service") {
        let ns = o.namespace_or_default().unwrap_or("default").to_owned();
        let node = cx.g.add(
            NodeKind::Service,
            format!("service/{ns}/{}", o.name),
            &o.name,
            Some(&ns),
        );
        let ty = o
            .pointer("/spec/type")
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP");
        cx.g.set(node, "service_type", ty);
        let mut workloads = Vec::new();
        if let Some(sel) = o
            .pointer("/spec/selector")
            .and_then(Value::as_object)
            .filter(|s| !s.is_empty())
        {
            for (i, w) in cx.workloads.iter().enumerate() {
                if w.namespace == ns
                    && sel.iter().all(|(k, v)| {
                        v.as_str()
                            .is_some_and(|v| w.labels.get(k).map(String::as_str) == Some(v))
                    })
                {
                    workloads.push(i);
                }
            }
        }
        for &i in &workloads {
            let w = cx.workloads[i].node;
            cx.g.relate(node, w, rel::SELECTS);
        }
        let target_ports = o
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let t = p.get("targetPort").or_else(|| p.get("port"))?;
                Some(match t {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            })
            .collect();
        let idx = cx.services.len();
        cx.services.push(Service {
            node,
            namespace: ns.clone(),
            name: o.name.clone(),
            workloads,
            target_ports,
        });
        by_name.insert((ns.clone(), o.name.clone()), idx);
        let display = o.display_name();
        let expose = |kind: &'static str, cx: &mut Ctx| {
            let e = cx.g.add(
                NodeKind::Exposure,
                format!("exposure/{kind}/{ns}/{}", o.name),
                &o.name,
                Some(&ns),
            );
            cx.g.set(e, "exposure_type", kind);
            cx.g.relate(e, node, rel::ROUTES_TO);
            cx.exposures.push(Exposure {
                node: e,
                kind,
                display: display.clone(),
                services: vec![idx],
            });
        };
        // A load balancer limited to source ranges that leave out the internet is not exposed.
        let restricted = o
            .pointer("/spec/loadBalancerSourceRanges")
            .and_then(Value::as_array)
            .is_some_and(|r| {
                !r.is_empty()
                    && r.iter()
                        .all(|c| c.as_str().is_some_and(|c| c != "0.0.0.0/0" && c != "::/0"))
            });
        match ty {
            "LoadBalancer" if restricted => node_exposed = true,
            "LoadBalancer" => {
                node_exposed = true;
                expose("load-balancer", cx);
            }
            "NodePort" => {
                node_exposed = true;
                expose("node-port", cx);
            }
            _ => {}
        }
        if o.pointer("/spec/externalIPs")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
        {
            expose("external-ip", cx);
        }
    }
    for o in inv.of_kind("Ingress") {
        let ns = o.namespace_or_default().unwrap_or("default").to_owned();
        let backends = palisade_k8s::ingress_backends(o);
        let e = cx.g.add(
            NodeKind::Exposure,
            format!("exposure/ingress/{ns}/{}", o.name),
            &o.name,
            Some(&ns),
        );
        cx.g.set(e, "exposure_type", "ingress");
        let services: Vec<usize> = backends
            .into_iter()
            .filter_map(|b| by_name.get(&(ns.clone(), b)).copied())
            .collect();
        for &s in &services {
            let sn = cx.services[s].node;
            cx.g.relate(e, sn, rel::ROUTES_TO);
        }
        cx.exposures.push(Exposure {
            node: e,
            kind: "ingress",
            display: o.display_name(),
            services,
        });
    }
    if node_exposed {
        let e =
            cx.g.add(NodeKind::Exposure, "exposure/nodes".into(), "nodes", None);
        cx.g.set(e, "exposure_type", "node");
        cx.nodes_exposed = Some(e);
    }
}

fn secrets(inv: &Inventory, cx: &mut Ctx) {
    for o in inv.of_kind("Secret") {
        let ns = o.namespace_or_default().unwrap_or("default").to_owned();
        let node = cx.g.add(
            NodeKind::Secret,
            format!("secret/{ns}/{}", o.name),
            &o.name,
            Some(&ns),
        );
        let ty = o
            .pointer("/type")
            .and_then(Value::as_str)
            .unwrap_or("Opaque")
            .to_owned();
        cx.g.set(node, "secret_type", ty.as_str());
        let sa = o
            .annotation("kubernetes.io/service-account.name")
            .map(str::to_owned);
        let secrets = cx.namespaces[&ns].secrets;
        cx.g.relate(secrets, node, rel::IN_NAMESPACE);
        if let (Some(sa), "kubernetes.io/service-account-token") = (&sa, ty.as_str()) {
            // The token implies its account.
            cx.ids
                .ensure(&mut cx.g, IdKind::ServiceAccount, Some(&ns), sa);
        }
        cx.secrets.push(SecretFacts {
            node,
            namespace: ns,
            name: o.name.clone(),
            secret_type: ty,
            service_account: sa,
        });
    }
}

fn images(reports: &[ScanReport], cx: &mut Ctx) {
    // Every name and digest a report is known by → the report.
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut digests: HashMap<String, usize> = HashMap::new();
    for (i, r) in reports.iter().enumerate() {
        let a = &r.artifact;
        for n in std::iter::once(&a.name)
            .chain(a.repo_tags.iter())
            .chain(a.repo_digests.iter())
        {
            names.entry(normalize_ref(n)).or_insert(i);
            if let Some(d) = digest_of(n) {
                digests.entry(d.to_owned()).or_insert(i);
            }
        }
        for d in a.manifest_digest.iter().chain(a.config_digest.iter()) {
            digests.entry(d.clone()).or_insert(i);
        }
    }
    let image_nodes: Vec<NodeId> =
        cx.g.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == NodeKind::Image)
            .map(|(i, _)| i as NodeId)
            .collect();
    let mut vuln_index: HashMap<String, usize> = HashMap::new();
    for img in image_nodes {
        let key = cx.g.node(img).key["image/".len()..].to_owned();
        let report = names
            .get(&key)
            .or_else(|| digest_of(&key).and_then(|d| digests.get(d)));
        let Some(&ri) = report else {
            cx.g.set(img, "scanned", false);
            continue;
        };
        let r = &reports[ri];
        let mut list = Vec::new();
        let (mut crit, mut high, mut kev, mut rce) = (0u64, 0u64, 0u64, 0u64);
        let mut max_epss = 0f64;
        let mut useful: BTreeSet<&str> = BTreeSet::new();
        for f in &r.findings {
            let vi = *vuln_index.entry(f.id.clone()).or_insert_with(|| {
                let node = cx.g.add(
                    NodeKind::Vulnerability,
                    format!("vuln/{}", f.id),
                    &f.id,
                    None,
                );
                let vector = f.cvss.as_ref().map(|c| c.vector.as_str()).unwrap_or("");
                let network = vector.is_empty() || vector.contains("AV:N");
                let rce = f.cwes.iter().any(|c| RCE_CWES.contains(&c.as_str()))
                    || (vector.contains("AV:N")
                        && vector.contains("PR:N")
                        && vector.contains("C:H")
                        && vector.contains("I:H"));
                let epss = f.epss.as_ref().map(|e| e.score).unwrap_or(0.0);
                let g = &mut cx.g;
                g.set(node, "severity", f.severity.as_str());
                g.set(node, "kev", f.kev.is_some());
                g.set(node, "epss", epss);
                g.set(node, "rce", rce);
                g.set(node, "network", network);
                if let Some(c) = &f.cvss {
                    g.set(node, "cvss", c.score);
                }
                if let Some(s) = &f.summary {
                    g.set(node, "summary", s.as_str());
                }
                cx.vulns.push(Vuln {
                    node,
                    id: f.id.clone(),
                    severity: f.severity,
                    kev: f.kev.is_some(),
                    epss,
                    rce,
                    network,
                    package: f.package.clone(),
                    fixed_version: f.fixed_version.clone(),
                });
                cx.vulns.len() - 1
            });
            let v = &cx.vulns[vi];
            list.push(vi);
            match v.severity {
                Severity::Critical => crit += 1,
                Severity::High => high += 1,
                _ => {}
            }
            kev += v.kev as u64;
            rce += v.rce as u64;
            max_epss = max_epss.max(v.epss);
            let p = cx.g.add(
                NodeKind::Package,
                format!("package/{}", f.purl),
                &f.package,
                None,
            );
            cx.g.set(p, "version", f.version.as_str());
            cx.g.set(p, "ecosystem", f.ecosystem.as_str());
            let vnode = v.node;
            cx.g.relate(img, p, rel::HAS_PACKAGE);
            cx.g.relate(p, vnode, rel::HAS_VULNERABILITY);
            cx.g.relate(img, vnode, rel::AFFECTS_IMAGE);
            if crate::risk::USEFUL_TO_ATTACKERS.contains(&f.package.as_str()) {
                useful.insert(f.package.as_str());
            }
        }
        list.sort_unstable();
        list.dedup();
        let g = &mut cx.g;
        g.set(img, "scanned", true);
        g.set(img, "vulnerabilities", list.len() as u64);
        g.set(img, "critical", crit);
        g.set(img, "high", high);
        g.set(img, "kev", kev);
        g.set(img, "rce", rce);
        g.set(img, "max_epss", max_epss);
        g.set(img, "packages", r.packages_scanned as u64);
        g.set(
            img,
            "useful_to_attackers",
            useful.into_iter().collect::<Vec<_>>().join(","),
        );
        if let Some(os) = &r.os {
            g.set(img, "os", format!("{} {}", os.id, os.version_id));
        }
        cx.image_vulns.insert(img, list);
    }
}

fn alerts(alerts: &[Value], cx: &mut Ctx) {
    // Pods name their workload by prefix (`web-7d9f8-x2k` of `web`), so match the longest
    // workload name in the namespace that the pod name starts with.
    for (n, a) in alerts.iter().enumerate() {
        let s = |p: &str| a.pointer(p).and_then(Value::as_str);
        let id = s("/id").map(str::to_owned).unwrap_or_else(|| n.to_string());
        let rule = s("/rule").unwrap_or("alert").to_owned();
        let (ns, pod) = match (
            s("/container/pod_namespace"),
            s("/container/pod_name"),
            s("/resource/namespace"),
            s("/resource/name"),
        ) {
            (Some(ns), Some(p), _, _) => (ns, p),
            (_, _, Some(ns), Some(p)) => (ns, p),
            _ => {
                tracing::debug!("alert {id} names no pod; left out of the graph");
                continue;
            }
        };
        let node =
            cx.g.add(NodeKind::Alert, format!("alert/{id}"), &rule, Some(ns));
        cx.g.set(node, "rule", rule.as_str());
        if let Some(sev) = s("/severity") {
            cx.g.set(node, "severity", sev);
        }
        if let Some(t) = s("/evt_type") {
            cx.g.set(node, "evt_type", t);
        }
        cx.g.set(node, "pod", pod);
        let workload = cx
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                w.namespace == ns
                    && (pod == w.name
                        || pod
                            .strip_prefix(w.name.as_str())
                            .is_some_and(|r| r.starts_with('-')))
            })
            .max_by_key(|(_, w)| w.name.len())
            .map(|(i, _)| i);
        if let Some(w) = workload {
            let wn = cx.workloads[w].node;
            cx.g.relate(node, wn, rel::ALERT_ON);
        }
        cx.alerts.push(AlertFacts {
            node,
            rule,
            workload,
        });
    }
}

/// Reverse reachability over attack edges: the set of nodes from which `targets` are reached.
pub fn reaching(g: &Graph, targets: &[NodeId]) -> Vec<bool> {
    let mut rev: Vec<Vec<NodeId>> = vec![Vec::new(); g.nodes.len()];
    for e in g.edges.iter().filter(|e| e.attack) {
        rev[e.to as usize].push(e.from);
    }
    let mut seen = vec![false; g.nodes.len()];
    let mut q: VecDeque<NodeId> = targets.iter().copied().collect();
    for &t in targets {
        seen[t as usize] = true;
    }
    while let Some(n) = q.pop_front() {
        for &p in &rev[n as usize] {
            if !seen[p as usize] {
                seen[p as usize] = true;
                q.push_back(p);
            }
        }
    }
    seen
}

/// Properties queries want without joins: exposure, vulnerability counts and what each
/// container, workload and identity reaches.
fn derive(cx: &mut Ctx) {
    let g = &cx.g;
    let exposure_nodes: BTreeSet<NodeId> = cx.exposures.iter().map(|e| e.node).collect();
    let nodes_exposed = cx.nodes_exposed;
    // Services reached from an exposure, then containers reached from those or directly.
    let mut exposed_services = BTreeSet::new();
    let mut exposed_containers: HashMap<NodeId, String> = HashMap::new();
    for e in g.edges.iter().filter(|e| e.attack) {
        if exposure_nodes.contains(&e.from) && g.node(e.to).kind == NodeKind::Service {
            exposed_services.insert(e.to);
        }
    }
    for e in g.edges.iter().filter(|e| e.attack) {
        let to_container = g.node(e.to).kind == NodeKind::Container;
        if to_container
            && (exposed_services.contains(&e.from)
                || exposure_nodes.contains(&e.from)
                || Some(e.from) == nodes_exposed
                || g.node(e.from).kind == NodeKind::Exposure)
        {
            exposed_containers
                .entry(e.to)
                .or_insert_with(|| e.evidence.clone());
        }
    }
    let jewels = |kind: NodeKind| -> Vec<NodeId> {
        g.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == kind)
            .map(|(i, _)| i as NodeId)
            .collect()
    };
    let to_admin = reaching(g, &[cx.cluster]);
    let to_root = reaching(g, &jewels(NodeKind::Node));
    let to_secrets = reaching(g, &jewels(NodeKind::NamespaceSecrets));
    let to_metadata = reaching(g, &[cx.metadata]);
    let mut sets: Vec<(NodeId, &'static str, Value)> = Vec::new();
    for w in &cx.workloads {
        let mut wl = (false, false, false, false, false);
        let (mut crit, mut high, mut kev, mut rce, mut epss) = (0u64, 0u64, 0u64, 0u64, 0f64);
        for c in &w.containers {
            let i = c.node as usize;
            let exposed = exposed_containers.contains_key(&c.node);
            let r = (to_admin[i], to_root[i], to_secrets[i], to_metadata[i]);
            sets.push((c.node, "internet_exposed", exposed.into()));
            sets.push((c.node, "reaches_cluster_admin", r.0.into()));
            sets.push((c.node, "reaches_node_root", r.1.into()));
            sets.push((c.node, "reaches_secrets", r.2.into()));
            sets.push((c.node, "reaches_metadata", r.3.into()));
            wl.0 |= exposed;
            wl.1 |= r.0;
            wl.2 |= r.1;
            wl.3 |= r.2;
            wl.4 |= r.3;
            let img = c.image.map(|i| g.node(i));
            let num = |k: &str| {
                img.and_then(|n| n.props.get(k))
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            };
            let (c1, h1, k1, r1) = (num("critical"), num("high"), num("kev"), num("rce"));
            let e1 = img
                .and_then(|n| n.props.get("max_epss"))
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            let scanned = img
                .and_then(|n| n.props.get("scanned"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            sets.push((c.node, "image_scanned", scanned.into()));
            sets.push((c.node, "critical", c1.into()));
            sets.push((c.node, "high", h1.into()));
            sets.push((c.node, "kev", k1.into()));
            sets.push((c.node, "rce", r1.into()));
            sets.push((c.node, "max_epss", e1.into()));
            crit += c1;
            high += h1;
            kev += k1;
            rce += r1;
            epss = epss.max(e1);
        }
        sets.push((w.node, "internet_exposed", wl.0.into()));
        sets.push((w.node, "reaches_cluster_admin", wl.1.into()));
        sets.push((w.node, "reaches_node_root", wl.2.into()));
        sets.push((w.node, "reaches_secrets", wl.3.into()));
        sets.push((w.node, "reaches_metadata", wl.4.into()));
        sets.push((w.node, "critical", crit.into()));
        sets.push((w.node, "high", high.into()));
        sets.push((w.node, "kev", kev.into()));
        sets.push((w.node, "rce", rce.into()));
        sets.push((w.node, "max_epss", epss.into()));
        sets.push((
            w.node,
            "privileged",
            w.containers.iter().any(|c| c.privileged).into(),
        ));
    }
    for id in &cx.ids.list {
        let i = id.node as usize;
        sets.push((id.node, "reaches_cluster_admin", to_admin[i].into()));
        sets.push((id.node, "reaches_node_root", to_root[i].into()));
        sets.push((id.node, "reaches_secrets", to_secrets[i].into()));
        let secrets_cluster = id.grant(&["get", "list"], "", "secrets").cluster.is_some();
        let create_pods = !id.grant(&["create"], "", "pods").is_empty();
        sets.push((
            id.node,
            "reads_secrets_cluster_wide",
            secrets_cluster.into(),
        ));
        sets.push((id.node, "creates_pods", create_pods.into()));
        sets.push((id.node, "rules", (id.perms.len() as u64).into()));
    }
    let alerts_per_wl = cx.alerts.iter().fold(HashMap::new(), |mut m, a| {
        if let Some(w) = a.workload {
            *m.entry(cx.workloads[w].node).or_insert(0u64) += 1;
        }
        m
    });
    for w in &cx.workloads {
        sets.push((
            w.node,
            "alerts",
            alerts_per_wl.get(&w.node).copied().unwrap_or(0).into(),
        ));
    }
    for (n, k, v) in sets {
        cx.g.set(n, k, v);
    }
}

/// Adds an attack edge (used by [`Out`]).
pub(crate) fn attack_edge(
    kind: &'static str,
    from: NodeId,
    to: NodeId,
    evidence: String,
    fix: String,
) -> Edge {
    Edge {
        from,
        to,
        kind,
        attack: true,
        evidence,
        fix,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_load_balancer_limited_to_private_ranges_is_not_internet_facing() {
        let svc = |ranges: &str| {
            format!("apiVersion: v1\nkind: Service\nmetadata: {{name: lb, namespace: a}}\nspec: {{type: LoadBalancer, loadBalancerSourceRanges: [{ranges}], selector: {{app: w}}, ports: [{{port: 80}}]}}\n")
        };
        let private = crate::fixture_graph(&svc("10.0.0.0/8"), "", "").unwrap();
        assert!(private.exposures.is_empty());
        let open = crate::fixture_graph(&svc("10.0.0.0/8, 0.0.0.0/0"), "", "").unwrap();
        assert_eq!(open.exposures.len(), 1);
        assert_eq!(open.exposures[0].kind, "load-balancer");
    }

    #[test]
    fn image_references_are_normalised() {
        use super::normalize_ref;
        assert_eq!(normalize_ref("nginx"), "nginx:latest");
        assert_eq!(normalize_ref("docker.io/library/nginx:1.27"), "nginx:1.27");
        assert_eq!(
            normalize_ref("registry:5000/team/app"),
            "registry:5000/team/app:latest"
        );
        assert_eq!(
            normalize_ref("ghcr.io/a/b:1@sha256:00"),
            "ghcr.io/a/b@sha256:00"
        );
    }
}
