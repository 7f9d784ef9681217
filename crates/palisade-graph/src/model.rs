//! The graph itself: typed nodes with properties, edges that are either structure (a
//! workload has a container) or attack steps (an edge kind of [`crate::edges::EDGE_KINDS`]).

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

/// What a node stands for. `as_str` is the `kind` column of the SQL tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// The cluster; reaching it means cluster-admin.
    Cluster,
    /// A Kubernetes node (or `node/*`, any node, when the inputs do not say where pods run);
    /// reaching it means root on that node.
    Node,
    Namespace,
    Workload,
    Pod,
    Container,
    Image,
    Package,
    Vulnerability,
    Service,
    /// Reachable from outside: an ingress, a load balancer, a node port, a host port.
    Exposure,
    ServiceAccount,
    /// A user or a group.
    Identity,
    Role,
    Binding,
    /// A secret's metadata (never its data).
    Secret,
    /// A volume of a workload (host paths, secrets).
    Volume,
    /// A runtime alert (sensor or audit).
    Alert,
    /// Every secret of one namespace (a crown jewel).
    NamespaceSecrets,
    /// The cloud provider's instance metadata endpoint (a crown jewel: node credentials).
    MetadataEndpoint,
}

pub const NODE_KINDS: &[NodeKind] = &[
    NodeKind::Cluster,
    NodeKind::Node,
    NodeKind::Namespace,
    NodeKind::Workload,
    NodeKind::Pod,
    NodeKind::Container,
    NodeKind::Image,
    NodeKind::Package,
    NodeKind::Vulnerability,
    NodeKind::Service,
    NodeKind::Exposure,
    NodeKind::ServiceAccount,
    NodeKind::Identity,
    NodeKind::Role,
    NodeKind::Binding,
    NodeKind::Secret,
    NodeKind::Volume,
    NodeKind::Alert,
    NodeKind::NamespaceSecrets,
    NodeKind::MetadataEndpoint,
];

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cluster => "cluster",
            Self::Node => "node",
            Self::Namespace => "namespace",
            Self::Workload => "workload",
            Self::Pod => "pod",
            Self::Container => "container",
            Self::Image => "image",
            Self::Package => "package",
            Self::Vulnerability => "vulnerability",
            Self::Service => "service",
            Self::Exposure => "exposure",
            Self::ServiceAccount => "service_account",
            Self::Identity => "identity",
            Self::Role => "role",
            Self::Binding => "binding",
            Self::Secret => "secret",
            Self::Volume => "volume",
            Self::Alert => "alert",
            Self::NamespaceSecrets => "namespace_secrets",
            Self::MetadataEndpoint => "metadata_endpoint",
        }
    }

    /// The name of the SQL view of this kind (`containers`, `service_accounts`...).
    pub fn view(self) -> &'static str {
        match self {
            Self::Cluster => "clusters",
            Self::Node => "cluster_nodes",
            Self::Namespace => "namespaces",
            Self::Workload => "workloads",
            Self::Pod => "pods",
            Self::Container => "containers",
            Self::Image => "images",
            Self::Package => "packages",
            Self::Vulnerability => "vulnerabilities",
            Self::Service => "services",
            Self::Exposure => "exposures",
            Self::ServiceAccount => "service_accounts",
            Self::Identity => "identities",
            Self::Role => "roles",
            Self::Binding => "bindings",
            Self::Secret => "secrets",
            Self::Volume => "volumes",
            Self::Alert => "alerts",
            Self::NamespaceSecrets => "namespace_secrets",
            Self::MetadataEndpoint => "metadata_endpoints",
        }
    }
}

pub type NodeId = u32;

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// Stable key: `workload/Deployment/shop/web`, `container/Deployment/shop/web/app`, ...
    pub key: String,
    pub kind: NodeKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub props: Map<String, Value>,
}

/// Structural relations (not attack steps): what the graph is made of.
pub mod rel {
    pub const HAS_CONTAINER: &str = "has_container";
    pub const HAS_POD: &str = "has_pod";
    pub const RUNS_IMAGE: &str = "runs_image";
    pub const HAS_PACKAGE: &str = "has_package";
    pub const HAS_VULNERABILITY: &str = "has_vulnerability";
    pub const AFFECTS_IMAGE: &str = "image_vulnerability";
    pub const RUNS_AS: &str = "runs_as";
    pub const IN_NAMESPACE: &str = "in_namespace";
    pub const SELECTS: &str = "selects";
    pub const ROUTES_TO: &str = "routes_to";
    pub const BINDS: &str = "binds";
    pub const GRANTS: &str = "grants";
    pub const MOUNTS: &str = "mounts";
    pub const SCHEDULED_ON: &str = "scheduled_on";
    pub const ALERT_ON: &str = "alert_on";
}

#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    pub from: NodeId,
    pub to: NodeId,
    /// An edge kind id (attack steps) or a [`rel`] name (structure).
    pub kind: &'static str,
    pub attack: bool,
    /// What in the inputs makes this edge true (attack steps only).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub evidence: String,
    /// The change that removes this edge (attack steps only).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fix: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    #[serde(skip)]
    index: HashMap<String, NodeId>,
}

impl Graph {
    /// The node with this key, added when new.
    pub fn add(
        &mut self,
        kind: NodeKind,
        key: String,
        name: &str,
        namespace: Option<&str>,
    ) -> NodeId {
        if let Some(&id) = self.index.get(&key) {
            return id;
        }
        let id = self.nodes.len() as NodeId;
        self.index.insert(key.clone(), id);
        self.nodes.push(Node {
            key,
            kind,
            name: name.to_owned(),
            namespace: namespace.map(str::to_owned),
            props: Map::new(),
        });
        id
    }

    pub fn id(&self, key: &str) -> Option<NodeId> {
        self.index.get(key).copied()
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    pub fn by_key(&self, key: &str) -> Option<&Node> {
        self.id(key).map(|i| self.node(i))
    }

    pub fn set(&mut self, id: NodeId, key: &str, value: impl Into<Value>) {
        self.nodes[id as usize]
            .props
            .insert(key.to_owned(), value.into());
    }

    pub fn relate(&mut self, from: NodeId, to: NodeId, kind: &'static str) {
        self.edges.push(Edge {
            from,
            to,
            kind,
            attack: false,
            evidence: String::new(),
            fix: String::new(),
        });
    }

    /// The attack edges of one kind (tests, reports).
    pub fn attack_edges<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Edge> + 'a {
        self.edges
            .iter()
            .filter(move |e| e.attack && e.kind == kind)
    }

    pub fn count(&self, kind: NodeKind) -> usize {
        self.nodes.iter().filter(|n| n.kind == kind).count()
    }
}
