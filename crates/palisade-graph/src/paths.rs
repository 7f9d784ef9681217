//! Attack paths: from every entry point to every crown jewel it reaches, the most likely path
//! (Dijkstra over `-ln(likelihood)` of the attack edges, ties to the shorter), ranked by
//! exploitability; each step with its evidence; the fixes that cut the most paths.
//!
//! Entry points: exposures (internet), anonymous identities (`system:anonymous`,
//! `system:unauthenticated`), vulnerabilities that are known-exploited or critical RCE, and
//! runtime alerts. Crown jewels: the cluster (cluster-admin), nodes (root), a namespace's
//! secrets, the cloud metadata endpoint.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use serde::Serialize;

use crate::build::Ctx;
use crate::edges;
use crate::model::{Graph, NodeId, NodeKind};

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub from: String,
    pub to: String,
    pub kind: &'static str,
    pub mitre: &'static str,
    pub evidence: String,
    pub fix: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttackPath {
    pub entry: String,
    /// `internet`, `anonymous`, `vulnerability`, `alert`.
    pub entry_kind: &'static str,
    pub target: String,
    /// `cluster-admin`, `node-root`, `namespace-secrets`, `cloud-metadata`.
    pub target_kind: &'static str,
    pub score: f64,
    pub likelihood: f64,
    pub steps: Vec<Step>,
    /// The one change that cuts this path and the most others (none when every step has
    /// alternatives no single change removes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FixImpact {
    pub fix: String,
    pub paths: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct PathReport {
    pub total: usize,
    /// Paths by target kind.
    pub by_target: BTreeMap<&'static str, usize>,
    /// Fixes by how many paths each cuts, most first.
    pub fixes: Vec<FixImpact>,
    /// The best-ranked paths (at most the limit asked for).
    pub paths: Vec<AttackPath>,
    /// Container node → number of paths through it (for the risk ranking).
    #[serde(skip)]
    pub through: HashMap<NodeId, usize>,
}

/// A path as found, before it is written out.
struct Found {
    entry: NodeId,
    target: NodeId,
    edges: Vec<u32>,
    likelihood: f64,
    score: f64,
}

fn entry_kind(cx: &Ctx, n: NodeId) -> Option<(&'static str, f64)> {
    let node = cx.g.node(n);
    match node.kind {
        NodeKind::Exposure => Some(("internet", 1.0)),
        NodeKind::Identity
            if matches!(
                node.name.as_str(),
                "system:anonymous" | "system:unauthenticated"
            ) =>
        {
            Some(("anonymous", 1.0))
        }
        NodeKind::Alert => Some(("alert", 1.0)),
        NodeKind::Vulnerability => {
            let b = |k: &str| node.props.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
            let epss = node
                .props
                .get("epss")
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            let critical = node.props.get("severity").and_then(|v| v.as_str()) == Some("CRITICAL");
            if b("kev") {
                Some(("vulnerability", 0.6 + 0.4 * epss))
            } else if critical && b("rce") {
                Some(("vulnerability", 0.3 + 0.4 * epss))
            } else {
                None
            }
        }
        _ => None,
    }
}

fn target_kind(k: NodeKind) -> Option<(&'static str, f64)> {
    match k {
        NodeKind::Cluster => Some(("cluster-admin", 1.0)),
        NodeKind::Node => Some(("node-root", 0.9)),
        NodeKind::NamespaceSecrets => Some(("namespace-secrets", 0.8)),
        NodeKind::MetadataEndpoint => Some(("cloud-metadata", 0.7)),
        _ => None,
    }
}

#[derive(PartialEq)]
struct Item(f64, NodeId);
impl Eq for Item {}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.partial_cmp(&self.0)
            .unwrap_or(Ordering::Equal)
            .then(o.1.cmp(&self.1))
    }
}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Which path per (entry, jewel) is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The most likely (product of the steps' likelihoods), ties to fewer steps.
    #[default]
    MostLikely,
    /// The fewest steps, ties to the more likely.
    Shortest,
}

/// Adjacency over attack edges: node → (to, edge index, cost).
fn adjacency(g: &Graph, mode: Mode) -> Vec<Vec<(NodeId, u32, f64)>> {
    let mut adj: Vec<Vec<(NodeId, u32, f64)>> = vec![Vec::new(); g.nodes.len()];
    for (i, e) in g.edges.iter().enumerate().filter(|(_, e)| e.attack) {
        let l = edges::by_id(e.kind).map(|k| k.likelihood).unwrap_or(0.5);
        // A tiny cost per hop makes the shorter of equally likely paths win.
        let cost = match mode {
            Mode::MostLikely => -l.ln() + 1e-6,
            Mode::Shortest => 1.0 - l.ln() * 1e-6,
        };
        adj[e.from as usize].push((e.to, i as u32, cost));
    }
    adj
}

fn search(cx: &Ctx, adj: &[Vec<(NodeId, u32, f64)>], entry: NodeId, weight: f64) -> Vec<Found> {
    let n = cx.g.nodes.len();
    let mut dist: Vec<f64> = vec![f64::INFINITY; n];
    let mut pred: Vec<u32> = vec![u32::MAX; n];
    let mut heap = BinaryHeap::new();
    dist[entry as usize] = 0.0;
    heap.push(Item(0.0, entry));
    let mut reached = Vec::new();
    while let Some(Item(d, u)) = heap.pop() {
        if d > dist[u as usize] {
            continue;
        }
        if u != entry && target_kind(cx.g.node(u).kind).is_some() {
            reached.push(u);
        }
        for &(v, e, c) in &adj[u as usize] {
            let nd = d + c;
            if nd >= dist[v as usize] {
                continue;
            }
            dist[v as usize] = nd;
            pred[v as usize] = e;
            heap.push(Item(nd, v));
        }
    }
    reached
        .into_iter()
        .map(|t| {
            let mut edges = Vec::new();
            let mut cur = t;
            while cur != entry {
                let e = pred[cur as usize];
                edges.push(e);
                cur = cx.g.edges[e as usize].from;
            }
            edges.reverse();
            let likelihood: f64 = edges
                .iter()
                .map(|&e| {
                    edges::by_id(cx.g.edges[e as usize].kind)
                        .map(|k| k.likelihood)
                        .unwrap_or(0.5)
                })
                .product();
            let tw = target_kind(cx.g.node(t).kind).map(|x| x.1).unwrap_or(0.5);
            Found {
                entry,
                target: t,
                edges,
                likelihood,
                score: weight * likelihood * tw,
            }
        })
        .collect()
}

/// Finds every entry's paths; keeps the `limit` best-ranked in the report.
pub fn find(cx: &Ctx, limit: usize) -> PathReport {
    find_with(cx, limit, Mode::MostLikely)
}

/// [`find`] keeping the most likely or the shortest path per (entry, jewel).
pub fn find_with(cx: &Ctx, limit: usize, mode: Mode) -> PathReport {
    let g = &cx.g;
    let adj = adjacency(g, mode);
    let entries: Vec<(NodeId, f64)> = (0..g.nodes.len() as NodeId)
        .filter(|&n| !adj[n as usize].is_empty())
        .filter_map(|n| entry_kind(cx, n).map(|(_, w)| (n, w)))
        .collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = entries.len().div_ceil(threads).max(1);
    let mut found: Vec<Found> = std::thread::scope(|s| {
        let handles: Vec<_> = entries
            .chunks(chunk)
            .map(|part| {
                let adj = &adj;
                s.spawn(move || {
                    part.iter()
                        .flat_map(|&(e, w)| search(cx, adj, e, w))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    // The fix that removes a step: only when every parallel attack edge between the same two
    // nodes names the same fix (otherwise the step has alternatives).
    let mut parallel: HashMap<(NodeId, NodeId), Option<&str>> = HashMap::new();
    for f in &found {
        for &e in &f.edges {
            let e = &g.edges[e as usize];
            parallel.entry((e.from, e.to)).or_insert(None);
        }
    }
    let mut first: HashMap<(NodeId, NodeId), bool> = HashMap::new();
    for e in g.edges.iter().filter(|e| e.attack) {
        if let Some(slot) = parallel.get_mut(&(e.from, e.to)) {
            let seen = first.entry((e.from, e.to)).or_insert(false);
            if !*seen {
                *seen = true;
                *slot = Some(e.fix.as_str());
            } else if *slot != Some(e.fix.as_str()) {
                *slot = None;
            }
        }
    }
    let step_fixes = |f: &Found| -> Vec<&str> {
        let mut v: Vec<&str> = f
            .edges
            .iter()
            .filter_map(|&e| {
                let e = &g.edges[e as usize];
                parallel.get(&(e.from, e.to)).copied().flatten()
            })
            .collect();
        v.dedup();
        v
    };
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut through: HashMap<NodeId, usize> = HashMap::new();
    let mut by_target: BTreeMap<&'static str, usize> = BTreeMap::new();
    for f in &found {
        let mut fixes = step_fixes(f);
        fixes.sort_unstable();
        fixes.dedup();
        for x in fixes {
            *counts.entry(x).or_default() += 1;
        }
        for &e in &f.edges {
            let to = g.edges[e as usize].to;
            if g.node(to).kind == NodeKind::Container {
                *through.entry(to).or_default() += 1;
            }
        }
        if let Some((k, _)) = target_kind(g.node(f.target).kind) {
            *by_target.entry(k).or_default() += 1;
        }
    }
    let mut fixes: Vec<FixImpact> = counts
        .iter()
        .map(|(f, n)| FixImpact {
            fix: (*f).to_owned(),
            paths: *n,
        })
        .collect();
    fixes.sort_by(|a, b| b.paths.cmp(&a.paths).then_with(|| a.fix.cmp(&b.fix)));
    found.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(Ordering::Equal)
            .then(a.edges.len().cmp(&b.edges.len()))
            .then_with(|| g.node(a.entry).key.cmp(&g.node(b.entry).key))
            .then_with(|| g.node(a.target).key.cmp(&g.node(b.target).key))
    });
    let total = found.len();
    let paths = found
        .iter()
        .take(limit)
        .map(|f| {
            let fix = step_fixes(f)
                .into_iter()
                .max_by_key(|x| counts.get(x).copied().unwrap_or(0))
                .map(str::to_owned);
            AttackPath {
                entry: g.node(f.entry).key.clone(),
                entry_kind: entry_kind(cx, f.entry).map(|x| x.0).unwrap_or("?"),
                target: g.node(f.target).key.clone(),
                target_kind: target_kind(g.node(f.target).kind)
                    .map(|x| x.0)
                    .unwrap_or("?"),
                score: (f.score * 1000.0).round() / 1000.0,
                likelihood: (f.likelihood * 1000.0).round() / 1000.0,
                steps: f
                    .edges
                    .iter()
                    .map(|&e| {
                        let e = &g.edges[e as usize];
                        Step {
                            from: g.node(e.from).key.clone(),
                            to: g.node(e.to).key.clone(),
                            kind: e.kind,
                            mitre: edges::by_id(e.kind).map(|k| k.mitre).unwrap_or(""),
                            evidence: e.evidence.clone(),
                            fix: e.fix.clone(),
                        }
                    })
                    .collect(),
                fix,
            }
        })
        .collect();
    PathReport {
        total,
        by_target,
        fixes,
        paths,
        through,
    }
}
