//! Built-in queries (`palisade explore list`, `palisade explore run NAME`): Defender's
//! container insights and attack-path types first, then Palisade's own. Each is SQL over the
//! tables of [`crate::sql`]; the first column names the thing found.

use crate::sql::{self, Table};
use crate::GraphError;

#[derive(Debug)]
pub struct Template {
    pub name: &'static str,
    pub title: &'static str,
    /// `Defender` for Defender's insights, `Palisade` for our own.
    pub origin: &'static str,
    pub sql: &'static str,
    /// The first column of every row on the test fixture (`tests/fixtures/insights`), sorted.
    pub expect: &'static [&'static str],
}

pub static TEMPLATES: &[Template] = &[
    Template {
        name: "exposed-vulnerable",
        title: "Internet-exposed pods running images with remote-code-execution or high-severity vulnerabilities",
        origin: "Defender",
        sql: "SELECT workload, name AS container, image, critical, high, rce, kev FROM containers
              WHERE internet_exposed = 1 AND (rce > 0 OR high > 0 OR critical > 0) ORDER BY workload, container",
        expect: &["DaemonSet/monitoring/node-exporter", "Deployment/shop/web"],
    },
    Template {
        name: "host-network-exposed-vulnerable",
        title: "Pods using the host network on exposed nodes, running images with RCE or high-severity vulnerabilities",
        origin: "Defender",
        sql: "SELECT workload, name AS container, image, critical, high, rce FROM containers
              WHERE host_network = 1 AND (rce > 0 OR high > 0 OR critical > 0)
                AND EXISTS (SELECT 1 FROM exposures WHERE key = 'exposure/nodes') ORDER BY workload, container",
        expect: &["DaemonSet/monitoring/node-exporter"],
    },
    Template {
        name: "privileged-vulnerable",
        title: "Privileged containers running vulnerable images",
        origin: "Defender",
        sql: "SELECT workload, name AS container, image, critical, high FROM containers
              WHERE privileged = 1 AND (critical > 0 OR high > 0) ORDER BY workload, container",
        expect: &["DaemonSet/monitoring/node-exporter"],
    },
    Template {
        name: "kev-running",
        title: "Running images with known-exploited (KEV) vulnerabilities",
        origin: "Defender",
        sql: "SELECT i.name AS image, i.kev, count(DISTINCT e.src) AS containers FROM images i
              JOIN edges e ON e.dst = i.id AND e.kind = 'runs_image'
              WHERE i.kev > 0 GROUP BY i.id ORDER BY i.name",
        expect: &["shop/web:1.0"],
    },
    Template {
        name: "namespaces-vulnerable",
        title: "Namespaces containing vulnerable pods (critical or high)",
        origin: "Defender",
        sql: "SELECT namespace, count(*) AS workloads, sum(critical) AS critical, sum(high) AS high
              FROM workloads WHERE critical > 0 OR high > 0 GROUP BY namespace ORDER BY namespace",
        expect: &["monitoring", "shop"],
    },
    Template {
        name: "sa-read-secrets-cluster-wide",
        title: "Service accounts that can read secrets cluster-wide",
        origin: "Defender",
        sql: "SELECT key, namespace, name FROM service_accounts WHERE reads_secrets_cluster_wide = 1 ORDER BY key",
        expect: &["sa/ci/deployer"],
    },
    Template {
        name: "sa-create-pods",
        title: "Service accounts that can create pods",
        origin: "Defender",
        sql: "SELECT key, namespace, name FROM service_accounts WHERE creates_pods = 1 ORDER BY key",
        expect: &["sa/ci/deployer", "sa/shop/web"],
    },
    Template {
        name: "sa-escalate-cluster-admin",
        title: "Service accounts that can escalate to cluster-admin",
        origin: "Defender",
        sql: "SELECT key, namespace, name FROM service_accounts WHERE reaches_cluster_admin = 1 ORDER BY key",
        expect: &["sa/ci/deployer", "sa/shop/web"],
    },
    Template {
        name: "workloads-to-node-root",
        title: "Workloads from which an attacker reaches root on a node",
        origin: "Defender",
        sql: "SELECT key, internet_exposed, critical, kev FROM workloads WHERE reaches_node_root = 1 ORDER BY key",
        expect: &[
            "workload/DaemonSet/monitoring/node-exporter",
            "workload/Deployment/ci/runner",
            "workload/Deployment/shop/web",
        ],
    },
    Template {
        name: "privileged-containers",
        title: "Privileged containers",
        origin: "Palisade",
        sql: "SELECT workload, name AS container, image FROM containers WHERE privileged = 1 ORDER BY workload, container",
        expect: &["DaemonSet/monitoring/node-exporter"],
    },
    Template {
        name: "host-namespaces",
        title: "Workloads sharing the node's PID, network or IPC namespace",
        origin: "Palisade",
        sql: "SELECT key, host_pid, host_network, host_ipc FROM workloads
              WHERE host_pid = 1 OR host_network = 1 OR host_ipc = 1 ORDER BY key",
        expect: &["workload/DaemonSet/monitoring/node-exporter"],
    },
    Template {
        name: "host-path-mounts",
        title: "Host paths mounted into containers",
        origin: "Palisade",
        sql: "SELECT c.workload, c.name AS container, v.host_path, v.read_only FROM volumes v
              JOIN edges e ON e.dst = v.id AND e.kind = 'mounts' JOIN containers c ON c.id = e.src
              WHERE v.host_path IS NOT NULL ORDER BY c.workload, v.host_path",
        expect: &["Deployment/ci/runner"],
    },
    Template {
        name: "container-escapes",
        title: "Containers with a way out to the node, and how",
        origin: "Palisade",
        sql: "SELECT c.workload, c.name AS container, group_concat(DISTINCT e.kind) AS escapes FROM edges e
              JOIN containers c ON c.id = e.src WHERE e.attack = 1 AND e.kind LIKE 'ce\\_%' ESCAPE '\\'
              GROUP BY c.id ORDER BY c.workload",
        expect: &["DaemonSet/monitoring/node-exporter", "Deployment/ci/runner"],
    },
    Template {
        name: "runtime-socket-mounts",
        title: "Containers that mount the container runtime's socket",
        origin: "Palisade",
        sql: "SELECT c.workload, c.name AS container, e.evidence FROM edges e JOIN containers c ON c.id = e.src
              WHERE e.kind = 'ce_runtime_socket' GROUP BY c.id ORDER BY c.workload",
        expect: &["Deployment/ci/runner"],
    },
    Template {
        name: "exposures",
        title: "What is reachable from outside the cluster, and through what",
        origin: "Palisade",
        sql: "SELECT x.key, x.exposure_type, s.key AS service FROM exposures x
              LEFT JOIN edges e ON e.src = x.id AND e.kind = 'exposed_to_internet'
              LEFT JOIN services s ON s.id = e.dst ORDER BY x.key, service",
        expect: &[
            "exposure/ingress/shop/web",
            "exposure/load-balancer/shop/web-lb",
            "exposure/nodes",
        ],
    },
    Template {
        name: "internet-exposed-workloads",
        title: "Workloads reachable from the internet",
        origin: "Palisade",
        sql: "SELECT key, critical, high, kev, reaches_node_root, reaches_cluster_admin FROM workloads
              WHERE internet_exposed = 1 ORDER BY key",
        expect: &[
            "workload/DaemonSet/monitoring/node-exporter",
            "workload/Deployment/shop/web",
        ],
    },
    Template {
        name: "exposed-kev",
        title: "Internet-exposed containers running known-exploited vulnerabilities",
        origin: "Palisade",
        sql: "SELECT workload, name AS container, image, kev FROM containers WHERE internet_exposed = 1 AND kev > 0 ORDER BY workload",
        expect: &["Deployment/shop/web"],
    },
    Template {
        name: "workloads-with-alerts",
        title: "Workloads with runtime alerts",
        origin: "Palisade",
        sql: "SELECT w.key, w.alerts, group_concat(DISTINCT a.rule) AS rules FROM workloads w
              JOIN edges e ON e.dst = w.id AND e.kind = 'alert_on' JOIN alerts a ON a.id = e.src
              GROUP BY w.id ORDER BY w.key",
        expect: &["workload/Deployment/shop/web"],
    },
    Template {
        name: "alerted-reaching-jewels",
        title: "Workloads with runtime alerts from which a crown jewel is reachable",
        origin: "Palisade",
        sql: "SELECT key, alerts, reaches_cluster_admin, reaches_node_root, reaches_secrets FROM workloads
              WHERE alerts > 0 AND (reaches_cluster_admin = 1 OR reaches_node_root = 1 OR reaches_secrets = 1) ORDER BY key",
        expect: &["workload/Deployment/shop/web"],
    },
    Template {
        name: "identities-cluster-admin",
        title: "Users, groups and service accounts that reach cluster-admin",
        origin: "Palisade",
        sql: "SELECT key, 'service_account' AS type FROM service_accounts WHERE reaches_cluster_admin = 1
              UNION ALL SELECT key, identity_type FROM identities WHERE reaches_cluster_admin = 1 ORDER BY key",
        expect: &["group/ops", "group/system:unauthenticated", "sa/ci/deployer", "sa/shop/web"],
    },
    Template {
        name: "wildcard-admins",
        title: "Identities holding every permission cluster-wide",
        origin: "Palisade",
        sql: "SELECT n.key, e.evidence FROM edges e JOIN nodes n ON n.id = e.src WHERE e.kind = 'cluster_admin' ORDER BY n.key",
        expect: &["group/ops"],
    },
    Template {
        name: "impersonators",
        title: "Identities that can impersonate others",
        origin: "Palisade",
        sql: "SELECT n.key, count(*) AS targets FROM edges e JOIN nodes n ON n.id = e.src
              WHERE e.kind = 'identity_impersonate' GROUP BY n.id ORDER BY n.key",
        expect: &["group/ops", "sa/ci/deployer"],
    },
    Template {
        name: "rbac-escalators",
        title: "Identities that can grant themselves more (bind, escalate)",
        origin: "Palisade",
        sql: "SELECT n.key, group_concat(DISTINCT e.kind) AS how FROM edges e JOIN nodes n ON n.id = e.src
              WHERE e.kind IN ('role_bind', 'role_escalate') GROUP BY n.id ORDER BY n.key",
        expect: &["group/ops", "sa/shop/web"],
    },
    Template {
        name: "exec-into-pods",
        title: "Identities that can exec or attach into containers, and how many",
        origin: "Palisade",
        sql: "SELECT n.key, count(DISTINCT e.dst) AS containers FROM edges e JOIN nodes n ON n.id = e.src
              WHERE e.kind IN ('pod_exec', 'pod_attach') GROUP BY n.id ORDER BY n.key",
        expect: &["group/ops", "sa/ci/deployer"],
    },
    Template {
        name: "token-thieves",
        title: "Identities that can obtain other service accounts' tokens",
        origin: "Palisade",
        sql: "SELECT n.key, count(DISTINCT e.dst) AS accounts FROM edges e JOIN nodes n ON n.id = e.src
              WHERE e.kind IN ('token_list', 'token_request') GROUP BY n.id ORDER BY n.key",
        expect: &["group/ops", "sa/ci/deployer"],
    },
    Template {
        name: "metadata-reachable",
        title: "Workloads that reach the cloud metadata endpoint",
        origin: "Palisade",
        sql: "SELECT key, host_network FROM workloads WHERE reaches_metadata = 1 ORDER BY key",
        expect: &[
            "workload/DaemonSet/monitoring/node-exporter",
            "workload/Deployment/ci/runner",
            "workload/Deployment/shop/web",
        ],
    },
    Template {
        name: "exposed-to-secrets",
        title: "Internet-exposed workloads from which a namespace's secrets are reachable",
        origin: "Palisade",
        sql: "SELECT key FROM workloads WHERE internet_exposed = 1 AND reaches_secrets = 1 ORDER BY key",
        expect: &[
            "workload/DaemonSet/monitoring/node-exporter",
            "workload/Deployment/shop/web",
        ],
    },
    Template {
        name: "unscanned-images",
        title: "Running images without a scan report",
        origin: "Palisade",
        sql: "SELECT key FROM images WHERE scanned = 0 ORDER BY key",
        expect: &["image/ci/runner:2", "image/payments/api:3"],
    },
    Template {
        name: "top-epss",
        title: "Vulnerabilities most likely to be exploited (EPSS), with the containers running them",
        origin: "Palisade",
        sql: "SELECT v.name AS vulnerability, v.epss, v.kev, v.severity, count(DISTINCT e.dst) AS containers
              FROM vulnerabilities v JOIN edges e ON e.src = v.id AND e.attack = 1
              GROUP BY v.id ORDER BY v.epss DESC, v.name LIMIT 20",
        expect: &["CVE-2024-0001", "CVE-2024-0002", "CVE-2024-0003"],
    },
    Template {
        name: "tokens-with-permissions",
        title: "Workloads that mount a token of a service account holding RBAC rules",
        origin: "Palisade",
        sql: "SELECT DISTINCT c.workload, s.key AS service_account, s.rules FROM edges e
              JOIN containers c ON c.id = e.src JOIN service_accounts s ON s.id = e.dst
              WHERE e.kind = 'identity_assume' AND s.rules > 0 ORDER BY c.workload",
        expect: &["Deployment/ci/runner", "Deployment/shop/web"],
    },
    Template {
        name: "default-sa-with-rbac",
        title: "Default service accounts that hold RBAC rules",
        origin: "Palisade",
        sql: "SELECT key, rules FROM service_accounts WHERE name = 'default' AND rules > 0 ORDER BY key",
        expect: &["sa/payments/default"],
    },
    Template {
        name: "anonymous-access",
        title: "Permissions granted to anonymous or unauthenticated requests",
        origin: "Palisade",
        sql: "SELECT i.key, r.key AS role FROM identities i JOIN edges e ON e.dst = i.id AND e.kind = 'binds'
              JOIN edges g ON g.src = e.src AND g.kind = 'grants' JOIN roles r ON r.id = g.dst
              WHERE i.name IN ('system:anonymous', 'system:unauthenticated') ORDER BY i.key",
        expect: &["group/system:unauthenticated"],
    },
    Template {
        name: "psa-unenforced",
        title: "Namespaces with workloads and no Pod Security enforcement",
        origin: "Palisade",
        sql: "SELECT n.name FROM namespaces n WHERE n.psa_enforce IS NULL
              AND EXISTS (SELECT 1 FROM workloads w WHERE w.namespace = n.name) ORDER BY n.name",
        expect: &["ci", "monitoring", "shop"],
    },
    Template {
        name: "nodes-proxy",
        title: "Identities that reach the kubelet API through nodes/proxy",
        origin: "Palisade",
        sql: "SELECT DISTINCT n.key FROM edges e JOIN nodes n ON n.id = e.src WHERE e.kind = 'nodes_proxy' ORDER BY n.key",
        expect: &["group/ops", "group/system:unauthenticated"],
    },
    Template {
        name: "secret-readers",
        title: "Who can read the secrets of which namespace",
        origin: "Palisade",
        sql: "SELECT n.key, group_concat(DISTINCT s.name) AS namespaces FROM edges e JOIN nodes n ON n.id = e.src
              JOIN namespace_secrets s ON s.id = e.dst WHERE e.kind IN ('secrets_read', 'role_bind', 'role_escalate')
              GROUP BY n.id ORDER BY n.key",
        expect: &["group/ops", "sa/ci/deployer", "sa/shop/web"],
    },
    Template {
        name: "attack-edges",
        title: "Attack edges by kind",
        origin: "Palisade",
        sql: "SELECT e.kind, k.title, k.mitre, count(*) AS edges FROM edges e JOIN edge_kinds k ON k.id = e.kind
              WHERE e.attack = 1 GROUP BY e.kind ORDER BY e.kind",
        expect: &[],
    },
];

pub fn by_name(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

/// Runs a template.
pub fn run(conn: &rusqlite::Connection, name: &str, max_rows: usize) -> Result<Table, GraphError> {
    let t = by_name(name).ok_or_else(|| GraphError::NoTemplate(name.to_owned()))?;
    sql::query(conn, t.sql, max_rows)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn names_are_unique_and_there_are_enough() {
        let names: BTreeSet<&str> = TEMPLATES.iter().map(|t| t.name).collect();
        assert_eq!(names.len(), TEMPLATES.len());
        assert!(TEMPLATES.iter().filter(|t| t.origin == "Defender").count() >= 9);
        assert!(TEMPLATES.iter().filter(|t| t.origin == "Palisade").count() >= 20);
    }

    #[test]
    fn every_template_returns_its_expected_rows_on_the_fixture() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/insights");
        let read = |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).unwrap();
        let cx = crate::fixture_graph(
            &read("manifests.yaml"),
            &read("reports.json"),
            &read("alerts.jsonl"),
        )
        .unwrap();
        let conn = sql::load(&cx.g).unwrap();
        let mut failures = Vec::new();
        for t in TEMPLATES {
            let table = run(&conn, t.name, 10_000).unwrap_or_else(|e| panic!("{}: {e}", t.name));
            if t.expect.is_empty() {
                assert!(!table.rows.is_empty(), "{} returned nothing", t.name);
                continue;
            }
            let mut got: Vec<String> = table
                .rows
                .iter()
                .map(|r| match &r[0] {
                    serde_json::Value::String(s) => s.clone(),
                    v => v.to_string(),
                })
                .collect();
            got.sort();
            got.dedup();
            if got != t.expect {
                failures.push(format!("{}: got {got:?}, expected {:?}", t.name, t.expect));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
