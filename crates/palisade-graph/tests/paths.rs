//! Hand-built clusters with planted attack paths (every one found, with its steps and fix)
//! and a clean one (none found).

use palisade_graph::paths::{self, AttackPath, PathReport};

fn report(dir: &str) -> PathReport {
    let base = format!("{}/tests/fixtures/{dir}", env!("CARGO_MANIFEST_DIR"));
    let read = |f: &str| std::fs::read_to_string(format!("{base}/{f}")).unwrap_or_default();
    let cx = palisade_graph::fixture_graph(
        &read("manifests.yaml"),
        &read("reports.json"),
        &read("alerts.jsonl"),
    )
    .unwrap();
    paths::find(&cx, usize::MAX)
}

fn path<'a>(r: &'a PathReport, entry: &str, target: &str) -> &'a AttackPath {
    r.paths
        .iter()
        .find(|p| p.entry == entry && p.target == target)
        .unwrap_or_else(|| {
            panic!(
                "no path {entry} → {target}; found: {:?}",
                r.paths
                    .iter()
                    .map(|p| format!("{} → {}", p.entry, p.target))
                    .collect::<Vec<_>>()
            )
        })
}

fn kinds(p: &AttackPath) -> Vec<&str> {
    p.steps.iter().map(|s| s.kind).collect()
}

#[test]
fn internet_to_node_root_through_the_docker_socket() {
    let r = report("planted-internet-to-node");
    assert_eq!(r.total, 1, "{:#?}", r.paths);
    let p = path(&r, "exposure/ingress/app/web", "node/*");
    assert_eq!(p.entry_kind, "internet");
    assert_eq!(p.target_kind, "node-root");
    assert_eq!(
        kinds(p),
        [
            "exposed_to_internet",
            "endpoint_exploit",
            "ce_runtime_socket"
        ]
    );
    assert!(
        p.steps[1].evidence.contains("port http"),
        "{}",
        p.steps[1].evidence
    );
    assert!(
        p.steps[2].evidence.contains("/var/run/docker.sock"),
        "{}",
        p.steps[2].evidence
    );
    assert_eq!(
        p.fix.as_deref(),
        Some("remove hostPath volume docker from Deployment/app/web")
    );
}

#[test]
fn known_exploited_vulnerability_to_node_root_and_cluster_admin() {
    let r = report("planted-vulnerable-escalation");
    let entry = "vuln/CVE-2023-4863";
    let admin = path(&r, entry, "cluster");
    assert_eq!(admin.entry_kind, "vulnerability");
    assert_eq!(kinds(admin), ["vuln_kev", "identity_assume", "role_bind"]);
    assert!(admin.steps[0]
        .fix
        .contains("upgrade libwebp7 to 1.2.4-0.2+deb12u1"));
    let root = path(&r, entry, "node/*");
    assert_eq!(kinds(root), ["vuln_kev", "identity_assume", "pod_create"]);
    assert_eq!(r.total, 2, "{:#?}", r.paths);
    // Both paths go through the worker's token: that fix cuts both (as does the upgrade).
    assert_eq!(r.fixes[0].paths, 2);
    assert_eq!(
        admin.fix.as_deref(),
        Some("set automountServiceAccountToken: false on Deployment/build/worker")
    );
    // The low-severity finding is no entry point.
    assert!(r.paths.iter().all(|p| p.entry != "vuln/CVE-2023-0001"));
}

#[test]
fn anonymous_reads_every_namespaces_secrets() {
    let r = report("planted-anonymous");
    for ns in ["one", "two"] {
        let p = path(&r, "user/system:anonymous", &format!("secrets/{ns}"));
        assert_eq!(p.entry_kind, "anonymous");
        assert_eq!(kinds(p), ["secrets_read"]);
        assert_eq!(
            p.fix.as_deref(),
            Some("remove read secrets from ClusterRoleBinding/oops → ClusterRole/secret-lister")
        );
    }
    assert_eq!(r.total, 2);
    assert_eq!(r.fixes[0].paths, 2);
}

#[test]
fn the_clean_cluster_has_no_attack_path() {
    let r = report("clean");
    assert_eq!(r.total, 0, "{:#?}", r.paths);
}

#[test]
fn the_insights_cluster_paths_are_ranked_and_explained() {
    let r = report("insights");
    assert!(r.total > 0);
    for w in r.paths.windows(2) {
        assert!(w[0].score >= w[1].score);
    }
    for p in &r.paths {
        assert!(!p.steps.is_empty());
        assert_eq!(p.steps[0].from, p.entry);
        assert_eq!(p.steps.last().unwrap().to, p.target);
        for s in p.steps.windows(2) {
            assert_eq!(s[0].to, s[1].from, "steps chain");
        }
        assert!(p
            .steps
            .iter()
            .all(|s| !s.evidence.is_empty() && !s.mitre.is_empty()));
    }
    // The internet reaches cluster-admin through the web front end.
    let p = path(&r, "exposure/ingress/shop/web", "cluster");
    assert_eq!(p.steps[0].kind, "exposed_to_internet");
}

#[test]
fn shortest_paths_are_never_longer_than_the_most_likely() {
    let base = format!("{}/tests/fixtures/insights", env!("CARGO_MANIFEST_DIR"));
    let read = |f: &str| std::fs::read_to_string(format!("{base}/{f}")).unwrap();
    let cx = palisade_graph::fixture_graph(
        &read("manifests.yaml"),
        &read("reports.json"),
        &read("alerts.jsonl"),
    )
    .unwrap();
    let likely = paths::find(&cx, usize::MAX);
    let short = paths::find_with(&cx, usize::MAX, paths::Mode::Shortest);
    assert_eq!(likely.total, short.total, "the same pairs are connected");
    for p in &likely.paths {
        let s = path(&short, &p.entry, &p.target);
        assert!(s.steps.len() <= p.steps.len(), "{} → {}", p.entry, p.target);
        assert!(
            s.likelihood <= p.likelihood + 1e-9,
            "{} → {}",
            p.entry,
            p.target
        );
    }
}
