//! Risk ranking of workloads: a score a person can read. Each factor is a multiplier of at
//! least 1 with its value and why (StackRox's eight: policy violations, suspicious process
//! executions, image vulnerabilities, service configuration, reachability, components useful
//! to attackers, number of components, image age; plus known exploitation, attack paths and
//! runtime alerts); the score is their product.

use serde::Serialize;
use serde_json::Value;

use crate::build::Ctx;
use crate::paths::PathReport;

/// Packages an attacker inside a container is glad to find.
pub const USEFUL_TO_ATTACKERS: &[&str] = &[
    "curl",
    "wget",
    "bash",
    "netcat",
    "netcat-openbsd",
    "netcat-traditional",
    "ncat",
    "nmap",
    "socat",
    "openssh-client",
    "python3",
    "python",
    "perl",
    "gcc",
    "make",
    "apt",
    "dpkg",
    "apk-tools",
    "busybox",
    "tcpdump",
    "strace",
    "gdb",
    "sudo",
    "git",
    "nodejs",
];

#[derive(Debug, Clone, Serialize)]
pub struct Factor {
    pub name: &'static str,
    pub value: String,
    pub multiplier: f64,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadRisk {
    pub workload: String,
    pub namespace: String,
    pub score: f64,
    pub factors: Vec<Factor>,
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Scores every workload, highest first.
pub fn rank(cx: &Ctx, paths: &PathReport) -> Vec<WorkloadRisk> {
    let g = &cx.g;
    let mut out = Vec::new();
    for (wi, w) in cx.workloads.iter().enumerate() {
        let p = &g.node(w.node).props;
        let num = |k: &str| p.get(k).and_then(Value::as_u64).unwrap_or(0);
        let flag = |k: &str| p.get(k).and_then(Value::as_bool).unwrap_or(false);
        let mut f = Vec::new();
        let mut add = |name, value: String, m: f64, why: String| {
            f.push(Factor {
                name,
                value,
                multiplier: round(m),
                why,
            })
        };
        // 1. Policy violations.
        let (pv, pvh) = (num("policy_violations"), num("policy_violations_high"));
        add(
            "policy_violations",
            format!("{pv} ({pvh} high or critical)"),
            1.0 + (0.03 * pv as f64 + 0.1 * pvh as f64).min(1.0),
            "posture checks failing on the workload".into(),
        );
        // 2. Suspicious process executions and 11. runtime alerts.
        let alerts: Vec<&crate::build::AlertFacts> = cx
            .alerts
            .iter()
            .filter(|a| a.workload == Some(wi))
            .collect();
        let execs = alerts
            .iter()
            .filter(|a| {
                g.node(a.node).props.get("evt_type").and_then(Value::as_str) == Some("execve")
                    || g.node(a.node).props.get("evt_type").and_then(Value::as_str) == Some("exec")
            })
            .count();
        add(
            "suspicious_processes",
            execs.to_string(),
            1.0 + (0.3 * execs as f64).min(1.0),
            "sensor alerts on process executions in its pods".into(),
        );
        // 3. Image vulnerabilities.
        let (crit, high) = (num("critical"), num("high"));
        let scanned = w.containers.iter().any(|c| {
            c.image
                .is_some_and(|i| g.node(i).props.get("scanned") == Some(&Value::Bool(true)))
        });
        add(
            "image_vulnerabilities",
            format!("{crit} critical, {high} high"),
            1.0 + ((crit as f64 + 0.4 * high as f64) / 10.0).min(1.0),
            if scanned {
                "findings of its images' scan reports".into()
            } else {
                "no scan report for its images".into()
            },
        );
        // 4. Service configuration.
        let mut conf = Vec::new();
        if w.containers.iter().any(|c| c.privileged) {
            conf.push("privileged");
        }
        if w.host_pid {
            conf.push("hostPID");
        }
        if w.host_network {
            conf.push("hostNetwork");
        }
        if w.host_ipc {
            conf.push("hostIPC");
        }
        if w.containers.iter().any(|c| {
            ["SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "NET_ADMIN"]
                .iter()
                .any(|k| c.has_cap(k))
        }) {
            conf.push("dangerous capabilities");
        }
        if w.volumes.iter().any(|v| v.host_path.is_some()) {
            conf.push("hostPath volumes");
        }
        if w.containers
            .iter()
            .any(|c| g.node(c.node).props.get("run_as_root") == Some(&Value::Bool(true)))
        {
            conf.push("may run as root");
        }
        add(
            "service_configuration",
            if conf.is_empty() {
                "none".into()
            } else {
                conf.join(", ")
            },
            1.0 + (0.2 * conf.len() as f64).min(1.0),
            "settings that widen what a compromise gives".into(),
        );
        // 5. Reachability.
        let selected = cx.services.iter().any(|s| s.workloads.contains(&wi));
        let (m, v, why) = if flag("internet_exposed") {
            (2.0, "internet", "reachable from outside the cluster")
        } else if selected {
            (1.2, "cluster", "behind a service inside the cluster")
        } else {
            (1.0, "none", "no service or exposure reaches it")
        };
        add("reachability", v.into(), m, why.into());
        // 6. Components useful to attackers; 7. number of components; 8. image age.
        let mut useful: Vec<String> = Vec::new();
        let mut packages = 0;
        for c in &w.containers {
            if let Some(i) = c.image {
                let p = &g.node(i).props;
                if let Some(u) = p.get("useful_to_attackers").and_then(Value::as_str) {
                    useful.extend(u.split(',').filter(|s| !s.is_empty()).map(str::to_owned));
                }
                packages += p.get("packages").and_then(Value::as_u64).unwrap_or(0);
            }
        }
        useful.sort();
        useful.dedup();
        add(
            "components_useful_to_attackers",
            if useful.is_empty() {
                "none seen".into()
            } else {
                useful.join(", ")
            },
            1.0 + (0.1 * useful.len() as f64).min(0.5),
            "tools for an attacker among the vulnerable packages of its images (scan reports list vulnerable packages only)".into(),
        );
        add(
            "component_count",
            packages.to_string(),
            1.0 + (packages as f64 / 2000.0).min(0.5),
            "packages in its images: more code, more to go wrong".into(),
        );
        add(
            "image_age",
            "unknown".into(),
            1.0,
            "scan reports do not carry the image's creation time".into(),
        );
        // 9. Known exploitation.
        let (kev, epss) = (
            num("kev"),
            p.get("max_epss").and_then(Value::as_f64).unwrap_or(0.0),
        );
        add(
            "known_exploitation",
            format!("{kev} KEV, max EPSS {:.2}", epss),
            if kev > 0 {
                1.5 + 0.5 * epss
            } else {
                1.0 + epss
            },
            "vulnerabilities exploited in the wild (CISA KEV) or likely to be (EPSS)".into(),
        );
        // 10. Attack paths through it.
        let through: usize = w
            .containers
            .iter()
            .map(|c| paths.through.get(&c.node).copied().unwrap_or(0))
            .sum();
        let reaches: Vec<&str> = [
            ("reaches_cluster_admin", "cluster-admin"),
            ("reaches_node_root", "node root"),
            ("reaches_secrets", "secrets"),
        ]
        .iter()
        .filter(|(k, _)| flag(k))
        .map(|(_, v)| *v)
        .collect();
        add(
            "attack_paths",
            format!(
                "{through} paths through it; reaches {}",
                if reaches.is_empty() {
                    "nothing".to_owned()
                } else {
                    reaches.join(", ")
                }
            ),
            1.0 + (0.05 * through as f64).min(1.0) + 0.2 * reaches.len() as f64,
            "attack paths that start at or pass through its containers, and what it reaches".into(),
        );
        add(
            "runtime_alerts",
            alerts.len().to_string(),
            1.0 + (0.5 * alerts.len() as f64).min(1.5),
            "runtime alerts (sensor or audit) on its pods".into(),
        );
        let score = f.iter().map(|x| x.multiplier).product::<f64>();
        out.push(WorkloadRisk {
            workload: w.display.clone(),
            namespace: w.namespace.clone(),
            score: round(score),
            factors: f,
        });
    }
    out.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.workload.cmp(&b.workload))
    });
    out
}
