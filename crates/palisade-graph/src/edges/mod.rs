//! Attack edge kinds: one file each, with its doc (condition, evidence, MITRE technique, the
//! fix that removes it) and a fixture where it fires and one where it does not; the table
//! [`EDGE_KINDS`] lists them all (a test fails when a file is missing from it).
//!
//! An attack edge `A → B` means: an attacker who controls A can get B. Entry points are
//! exposures, anonymous identities, vulnerabilities and alerts; crown jewels are the
//! cluster (cluster-admin), nodes (root), namespace secrets and the metadata endpoint.

use crate::build::{attack_edge, Container, Ctx, Workload};
use crate::model::{Edge, NodeId};
use crate::rbac::{Grant, Identity, Perm};

mod alert_compromise;
mod ce_cgroup_breakout;
mod ce_core_pattern;
mod ce_host_path_read;
mod ce_host_path_write;
mod ce_module_load;
mod ce_nsenter;
mod ce_privileged_mount;
mod ce_runtime_socket;
mod ce_sys_ptrace;
mod ce_var_log_symlink;
mod cluster_admin;
mod endpoint_exploit;
mod exposed_to_internet;
mod host_network_exposed_node;
mod host_network_metadata;
mod host_port_exposed;
mod identity_assume;
mod identity_impersonate;
mod metadata_reachable;
mod node_token_steal;
mod nodes_proxy;
mod permission_discover;
mod pod_attach;
mod pod_create;
mod pod_ephemeral;
mod pod_exec;
mod pod_patch;
mod psa_label_bypass;
mod role_bind;
mod role_escalate;
mod secrets_read;
mod shared_pid_namespace;
mod token_list;
mod token_request;
mod volume_access;
mod vuln_high;
mod vuln_kev;
mod vuln_rce;
mod workload_create;
mod workload_patch;

/// Inputs of a fixture: manifests (YAML), scan reports (one JSON document per line), alerts
/// (JSON lines).
#[derive(Debug, Clone, Copy)]
pub struct Fixture {
    pub manifests: &'static str,
    pub reports: &'static str,
    pub alerts: &'static str,
}

impl Fixture {
    pub const fn manifests(m: &'static str) -> Self {
        Self {
            manifests: m,
            reports: "",
            alerts: "",
        }
    }
}

/// One kind of attack step.
#[derive(Debug)]
pub struct EdgeKind {
    pub id: &'static str,
    pub title: &'static str,
    /// When the edge exists.
    pub condition: &'static str,
    /// What the edge records as evidence.
    pub evidence: &'static str,
    /// MITRE ATT&CK technique id (Containers matrix where it has one).
    pub mitre: &'static str,
    /// The change that removes the edge.
    pub fix: &'static str,
    /// Where the idea comes from: `KubeHound`, `IceKube`, `Defender`, `Palisade`.
    pub origin: &'static str,
    /// How likely an attacker takes this step successfully (0..1); paths multiply these.
    pub likelihood: f64,
    pub fires: Fixture,
    pub clean: Fixture,
    pub detect: fn(&Ctx, &mut Out),
}

/// Where edge kinds put their edges.
#[derive(Debug, Default)]
pub struct Out {
    pub(crate) kind: &'static str,
    pub(crate) edges: Vec<Edge>,
}

impl Out {
    pub fn push(
        &mut self,
        from: NodeId,
        to: NodeId,
        evidence: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.edges.push(attack_edge(
            self.kind,
            from,
            to,
            evidence.into(),
            fix.into(),
        ));
    }
}

pub static EDGE_KINDS: &[&EdgeKind] = &[
    &exposed_to_internet::KIND,
    &endpoint_exploit::KIND,
    &host_port_exposed::KIND,
    &host_network_exposed_node::KIND,
    &vuln_kev::KIND,
    &vuln_rce::KIND,
    &vuln_high::KIND,
    &alert_compromise::KIND,
    &identity_assume::KIND,
    &shared_pid_namespace::KIND,
    &volume_access::KIND,
    &ce_privileged_mount::KIND,
    &ce_nsenter::KIND,
    &ce_module_load::KIND,
    &ce_sys_ptrace::KIND,
    &ce_cgroup_breakout::KIND,
    &ce_core_pattern::KIND,
    &ce_var_log_symlink::KIND,
    &ce_runtime_socket::KIND,
    &ce_host_path_write::KIND,
    &ce_host_path_read::KIND,
    &host_network_metadata::KIND,
    &metadata_reachable::KIND,
    &node_token_steal::KIND,
    &pod_create::KIND,
    &workload_create::KIND,
    &pod_patch::KIND,
    &workload_patch::KIND,
    &pod_exec::KIND,
    &pod_attach::KIND,
    &pod_ephemeral::KIND,
    &nodes_proxy::KIND,
    &secrets_read::KIND,
    &token_list::KIND,
    &token_request::KIND,
    &identity_impersonate::KIND,
    &role_bind::KIND,
    &role_escalate::KIND,
    &cluster_admin::KIND,
    &permission_discover::KIND,
    &psa_label_bypass::KIND,
];

pub fn by_id(id: &str) -> Option<&'static EdgeKind> {
    EDGE_KINDS.iter().copied().find(|k| k.id == id)
}

// ---- helpers shared by edge kinds ----

/// Host path mounts of a container: (host path, read-only, volume name).
pub(crate) fn host_mounts<'a>(
    w: &'a Workload,
    c: &'a Container,
) -> impl Iterator<Item = (&'a str, bool, &'a str)> + 'a {
    c.mounts.iter().filter_map(|m| {
        let v = &w.volumes[m.volume];
        Some((
            v.host_path.as_deref()?.trim_end_matches('/'),
            m.read_only,
            v.name.as_str(),
        ))
    })
}

/// Whether `path` is `dir` or below it (`""` stands for `/`).
pub(crate) fn under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() {
        return path.is_empty();
    }
    path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

pub(crate) fn container_label(w: &Workload, c: &Container) -> String {
    format!("container {} of {}", c.name, w.display)
}

/// Container → every node of its workload, for each container `cond` accepts
/// (`cond` returns the evidence and the fix).
pub(crate) fn escape(
    cx: &Ctx,
    out: &mut Out,
    cond: impl Fn(&Workload, &Container) -> Option<(String, String)>,
) {
    for w in &cx.workloads {
        for c in &w.containers {
            if let Some((evidence, fix)) = cond(w, c) {
                for &n in &w.nodes {
                    out.push(c.node, n, evidence.clone(), fix.clone());
                }
            }
        }
    }
}

/// For every identity and every place it holds `verbs` on one of `resources` (API group
/// `group`): `f(identity, namespace or None for cluster-wide, rule, resource)`.
pub(crate) fn grants<'a>(
    cx: &'a Ctx,
    verbs: &[&str],
    group_resources: &[(&str, &'a str)],
    mut f: impl FnMut(&'a Identity, Option<&'a str>, &'a Perm, &'a str),
) {
    for id in &cx.ids.list {
        let mut seen_cluster = false;
        let mut seen: std::collections::BTreeSet<&str> = Default::default();
        for &(group, res) in group_resources {
            let g = id.grant(verbs, group, res);
            if let Some(p) = g.cluster {
                if !seen_cluster {
                    seen_cluster = true;
                    f(id, None, p, res);
                }
                continue;
            }
            for (ns, p) in g.namespaces {
                if !seen_cluster && seen.insert(ns) {
                    f(id, Some(ns), p, res);
                }
            }
        }
    }
}

/// `in namespace x` / `in every namespace`.
pub(crate) fn scope_text(ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!("in namespace {ns}"),
        None => "in every namespace".to_owned(),
    }
}

/// The namespaces a grant covers (every namespace when cluster-wide).
pub(crate) fn namespaces<'a>(cx: &'a Ctx, ns: Option<&'a str>) -> Vec<&'a str> {
    match ns {
        Some(ns) => vec![ns],
        None => cx.namespaces.keys().map(String::as_str).collect(),
    }
}

/// Identity → nodes and service accounts of the namespaces where it can run a pod of its
/// choosing (pod create, workload create/patch); Pod Security admission `baseline` or
/// `restricted` in a namespace stops the node step there, not the service-account step.
pub(crate) fn run_pod_edges(
    cx: &Ctx,
    out: &mut Out,
    verbs: &[&str],
    group_resources: &[(&str, &str)],
    what: &str,
) {
    grants(cx, verbs, group_resources, |id, ns, perm, res| {
        let nss = namespaces(cx, ns);
        let open: Vec<&str> = nss
            .iter()
            .copied()
            .filter(|n| cx.ns(n).is_some_and(|x| !x.psa_blocks_privileged()))
            .collect();
        let fix = format!("remove {what} {res} from {}", perm.via);
        if let Some(first) = open.first() {
            let evidence = format!(
                "{} can {what} {res} {} ({}); Pod Security admission does not refuse a privileged pod in namespace {first}",
                id.key(),
                scope_text(ns),
                perm.via
            );
            for &n in &cx.nodes {
                out.push(id.node, n, evidence.clone(), fix.clone());
            }
        }
        for n in nss {
            for sa in cx.service_accounts_in(n) {
                let target = &cx.ids.list[sa];
                if target.node == id.node {
                    continue;
                }
                out.push(
                    id.node,
                    target.node,
                    format!(
                        "{} can {what} {res} in namespace {n} ({}) running as {}",
                        id.key(),
                        perm.via,
                        target.key()
                    ),
                    fix.clone(),
                );
            }
        }
    });
}

/// Identity → containers of every workload in the namespaces where it holds the grant.
pub(crate) fn into_containers(
    cx: &Ctx,
    out: &mut Out,
    verbs: &[&str],
    group_resources: &[(&str, &str)],
    what: &str,
) {
    grants(cx, verbs, group_resources, |id, ns, perm, res| {
        let fix = format!("remove {what} {res} from {}", perm.via);
        for n in namespaces(cx, ns) {
            for w in cx.workloads_in(n) {
                for c in &w.containers {
                    out.push(
                        id.node,
                        c.node,
                        format!(
                            "{} can {what} {res} {} ({}): {}",
                            id.key(),
                            scope_text(ns),
                            perm.via,
                            container_label(w, c)
                        ),
                        fix.clone(),
                    );
                }
            }
        }
    });
}

pub(crate) const WORKLOAD_RESOURCES: &[(&str, &str)] = &[
    ("apps", "deployments"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("", "replicationcontrollers"),
];

/// `role_bind` / `role_escalate`: write RBAC so as to hold more. Cluster-wide → the cluster;
/// in a namespace → that namespace's secrets (`admin` there).
pub(crate) fn rbac_write(cx: &Ctx, out: &mut Out, how: &str) {
    const G: &str = "rbac.authorization.k8s.io";
    const WRITE: &[&str] = &["create", "update", "patch"];
    for id in &cx.ids.list {
        let (cluster_a, cluster_b, ns_a, ns_b, ns_c) = if how == "bind" {
            (
                id.grant(WRITE, G, "clusterrolebindings"),
                id.grant(&["bind"], G, "clusterroles"),
                id.grant(WRITE, G, "rolebindings"),
                id.grant(&["bind"], G, "roles"),
                id.grant(&["bind"], G, "clusterroles"),
            )
        } else {
            (
                id.grant(&["escalate"], G, "clusterroles"),
                id.grant(WRITE, G, "clusterroles"),
                id.grant(&["escalate"], G, "roles"),
                id.grant(WRITE, G, "roles"),
                Grant::default(),
            )
        };
        if let (Some(a), Some(b)) = (cluster_a.cluster, cluster_b.cluster) {
            out.push(
                id.node,
                cx.cluster,
                format!(
                    "{} can {how} cluster-wide ({}; {}): it grants itself cluster-admin",
                    id.key(),
                    a.via,
                    b.via
                ),
                format!("remove {how} from {}", b.via),
            );
            continue;
        }
        for (n, x) in &cx.namespaces {
            let (Some(a), Some(b)) = (ns_a.in_ns(n), ns_b.in_ns(n).or(ns_c.cluster)) else {
                continue;
            };
            out.push(
                id.node,
                x.secrets,
                format!(
                    "{} can {how} in namespace {n} ({}; {}): it grants itself admin there",
                    id.key(),
                    a.via,
                    b.via
                ),
                format!("remove {how} from {}", b.via),
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Builds the graph of a fixture.
    pub fn graph_of(f: &Fixture) -> Ctx {
        crate::fixture_graph(f.manifests, f.reports, f.alerts).expect("fixture loads")
    }

    #[test]
    fn every_edge_file_is_registered_and_ids_are_unique() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/edges");
        let ids: BTreeSet<&str> = EDGE_KINDS.iter().map(|k| k.id).collect();
        assert_eq!(ids.len(), EDGE_KINDS.len(), "duplicate edge kind ids");
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let Some(stem) = name.strip_suffix(".rs") else {
                continue;
            };
            if stem == "mod" {
                continue;
            }
            files += 1;
            assert!(ids.contains(stem), "src/edges/{name} is not in EDGE_KINDS");
        }
        assert_eq!(files, EDGE_KINDS.len());
        assert!(EDGE_KINDS.len() >= 40, "{}", EDGE_KINDS.len());
    }

    #[test]
    fn every_edge_kind_is_documented() {
        for k in EDGE_KINDS {
            for (what, text) in [
                ("title", k.title),
                ("condition", k.condition),
                ("evidence", k.evidence),
                ("fix", k.fix),
                ("origin", k.origin),
            ] {
                assert!(!text.trim().is_empty(), "{} has no {what}", k.id);
            }
            assert!(
                k.mitre.starts_with('T') && k.mitre[1..5].chars().all(|c| c.is_ascii_digit()),
                "{}: {}",
                k.id,
                k.mitre
            );
            assert!(k.likelihood > 0.0 && k.likelihood <= 1.0, "{}", k.id);
        }
    }

    #[test]
    fn every_edge_kind_fires_on_its_fixture_and_not_on_the_clean_one() {
        for k in EDGE_KINDS {
            let fires = graph_of(&k.fires);
            let edges: Vec<&Edge> = fires.g.attack_edges(k.id).collect();
            assert!(!edges.is_empty(), "{} does not fire on its fixture", k.id);
            for e in &edges {
                assert!(!e.evidence.is_empty(), "{}: edge without evidence", k.id);
                assert!(!e.fix.is_empty(), "{}: edge without fix", k.id);
            }
            let clean = graph_of(&k.clean);
            let n = clean.g.attack_edges(k.id).count();
            assert_eq!(n, 0, "{} fires on its clean fixture", k.id);
        }
    }
}
