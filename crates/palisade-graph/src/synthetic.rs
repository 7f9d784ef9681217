//! A generated cluster for `palisade bench explore`: namespaces, nodes, deployments with
//! their replica sets and pods (placed on nodes), services, ingresses, service accounts with
//! namespace and cluster RBAC, network policies, Pod Security labels, scan reports for every
//! image and a few alerts. Deterministic.

use std::fmt::Write;

use palisade_model::{
    Artifact, ArtifactKind, Cvss, Ecosystem, Epss, Finding, FixStatus, KevInfo, ScanReport,
    Severity,
};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub namespaces: usize,
    pub nodes: usize,
    pub deployments: usize,
    pub pods_per_deployment: usize,
    pub service_accounts_per_namespace: usize,
    pub images: usize,
    pub findings_per_image: usize,
    pub alerts: usize,
}

impl Default for Shape {
    /// 10,000 pods in 500 namespaces, 2,000 service accounts, 5,000 images with findings.
    fn default() -> Self {
        Self {
            namespaces: 500,
            nodes: 100,
            deployments: 2500,
            pods_per_deployment: 4,
            service_accounts_per_namespace: 4,
            images: 5000,
            findings_per_image: 20,
            alerts: 50,
        }
    }
}

/// Manifests (YAML), scan reports and alerts of a synthetic cluster.
pub fn generate(s: &Shape) -> (String, Vec<ScanReport>, Vec<Value>) {
    let mut y = String::new();
    for n in 0..s.nodes {
        let _ = write!(
            y,
            "---\napiVersion: v1\nkind: Node\nmetadata: {{name: node-{n}}}\n"
        );
    }
    for ns in 0..s.namespaces {
        let psa = if ns % 5 == 0 {
            ", labels: {pod-security.kubernetes.io/enforce: baseline}"
        } else {
            ""
        };
        let _ = write!(
            y,
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: ns-{ns}{psa}}}\n"
        );
        if ns % 4 == 0 {
            let _ = write!(y, "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny-egress, namespace: ns-{ns}}}\nspec: {{podSelector: {{}}, policyTypes: [Egress]}}\n");
        }
        for a in 0..s.service_accounts_per_namespace {
            let _ = write!(y, "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa-{a}, namespace: ns-{ns}}}\n");
        }
        // Namespace RBAC: an editor (pods, exec, secrets) and a viewer.
        let _ = write!(y, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: editor, namespace: ns-{ns}}}\nrules:\n- {{apiGroups: [\"\"], resources: [pods, pods/exec], verbs: [get, list, create]}}\n- {{apiGroups: [\"\"], resources: [secrets], verbs: [get]}}\n- {{apiGroups: [apps], resources: [deployments], verbs: [get, list, patch]}}\n");
        let _ = write!(y, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: editor, namespace: ns-{ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: editor}}\nsubjects: [{{kind: ServiceAccount, name: sa-0, namespace: ns-{ns}}}]\n");
        let _ = write!(y, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: view, namespace: ns-{ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}}\nsubjects: [{{kind: ServiceAccount, name: sa-1, namespace: ns-{ns}}}, {{kind: User, name: dev-{ns}}}]\n");
        if ns % 10 == 0 {
            let _ = write!(y, "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: web, namespace: ns-{ns}}}\nspec:\n  rules:\n  - http:\n      paths:\n      - {{path: /, pathType: Prefix, backend: {{service: {{name: app-{}, port: {{number: 80}}}}}}}}\n", ns);
        }
    }
    // Cluster roles and a few cluster-wide bindings.
    y.push_str("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: view}\nrules: [{apiGroups: [\"\", apps], resources: [pods, services, deployments, configmaps], verbs: [get, list, watch]}]\n");
    y.push_str("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cluster-admin}\nrules: [{apiGroups: [\"*\"], resources: [\"*\"], verbs: [\"*\"]}]\n");
    y.push_str("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: ci}\nrules: [{apiGroups: [apps], resources: [deployments, daemonsets], verbs: [create, patch]}, {apiGroups: [\"\"], resources: [secrets], verbs: [list]}]\n");
    y.push_str("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: scraper}\nrules: [{apiGroups: [\"\"], resources: [nodes/proxy, nodes/metrics], verbs: [get]}]\n");
    y.push_str("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: admins}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: Group, name: platform-admins}]\n");
    for i in 0..5 {
        let ns = i * 7 % s.namespaces.max(1);
        let _ = write!(y, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: ci-{i}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ci}}\nsubjects: [{{kind: ServiceAccount, name: sa-2, namespace: ns-{ns}}}]\n");
        let _ = write!(y, "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: scraper-{i}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: scraper}}\nsubjects: [{{kind: ServiceAccount, name: sa-3, namespace: ns-{}}}]\n", (ns + 1) % s.namespaces.max(1));
    }
    // Workloads: deployment → replica set → pods on nodes; one service each.
    for d in 0..s.deployments {
        let ns = d % s.namespaces.max(1);
        let sa = d % s.service_accounts_per_namespace.max(1);
        let img_a = (2 * d) % s.images.max(1);
        let img_b = (2 * d + 1) % s.images.max(1);
        let mut pod = String::new();
        if d % 50 == 0 {
            pod.push_str("hostPID: true, ");
        }
        if d % 30 == 2 {
            pod.push_str("hostNetwork: true, ");
        }
        let sc = if d % 50 == 0 {
            ", securityContext: {privileged: true}"
        } else if d % 45 == 3 {
            ", securityContext: {capabilities: {add: [SYS_ADMIN]}}"
        } else {
            ""
        };
        let (vols, mounts) = if d % 40 == 1 {
            (
                "volumes: [{name: sock, hostPath: {path: /var/run/docker.sock}}], ",
                ", volumeMounts: [{name: sock, mountPath: /var/run/docker.sock}]",
            )
        } else {
            ("", "")
        };
        let spec = format!("{{{pod}{vols}serviceAccountName: sa-{sa}, containers: [{{name: app, image: \"registry.example/app-{img_a}:1\", ports: [{{containerPort: 8080}}]{sc}{mounts}}}, {{name: sidecar, image: \"registry.example/app-{img_b}:1\"}}]}}");
        let _ = write!(y, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{d}, namespace: ns-{ns}}}\nspec:\n  replicas: {}\n  selector: {{matchLabels: {{app: app-{d}}}}}\n  template:\n    metadata: {{labels: {{app: app-{d}}}}}\n    spec: {spec}\n", s.pods_per_deployment);
        let _ = write!(y, "---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: app-{d}-5f6d\n  namespace: ns-{ns}\n  ownerReferences: [{{kind: Deployment, name: app-{d}, controller: true}}]\nspec:\n  template:\n    metadata: {{labels: {{app: app-{d}}}}}\n    spec: {spec}\n");
        for p in 0..s.pods_per_deployment {
            let node = (d * 7 + p * 13) % s.nodes.max(1);
            let inner = &spec[1..spec.len() - 1];
            let _ = write!(y, "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app-{d}-5f6d-{p}\n  namespace: ns-{ns}\n  labels: {{app: app-{d}}}\n  ownerReferences: [{{kind: ReplicaSet, name: app-{d}-5f6d, controller: true}}]\nspec: {{nodeName: node-{node}, {inner}}}\nstatus: {{phase: Running}}\n");
        }
        let ty = if d % 10 == 5 {
            "LoadBalancer"
        } else {
            "ClusterIP"
        };
        let _ = write!(y, "---\napiVersion: v1\nkind: Service\nmetadata: {{name: app-{d}, namespace: ns-{ns}}}\nspec: {{type: {ty}, selector: {{app: app-{d}}}, ports: [{{port: 80, targetPort: 8080}}]}}\n");
    }
    let reports = (0..s.images)
        .map(|i| {
            let findings = (0..s.findings_per_image)
                .map(|k| {
                    let v = (i * 31 + k * 17) % 2000;
                    let severity = match v % 10 {
                        0 => Severity::Critical,
                        1..=3 => Severity::High,
                        4..=7 => Severity::Medium,
                        _ => Severity::Low,
                    };
                    let pkg = ["openssl", "curl", "glibc", "zlib", "bash", "libxml2"][v % 6];
                    Finding {
                        id: format!("CVE-2024-{v:05}"),
                        aliases: Vec::new(),
                        summary: None,
                        severity,
                        cvss: Some(Cvss {
                            vector: if v % 3 == 0 {
                                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into()
                            } else {
                                "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N".into()
                            },
                            score: 7.5,
                        }),
                        package: pkg.into(),
                        version: "1.0".into(),
                        ecosystem: Ecosystem::Deb,
                        purl: format!("pkg:deb/debian/{pkg}@1.0"),
                        fixed_version: (v % 2 == 0).then(|| "1.1".into()),
                        locations: Vec::new(),
                        introduced_by: None,
                        kev: (v % 97 == 0).then_some(KevInfo {
                            name: None,
                            date_added: None,
                            due_date: None,
                            required_action: None,
                            known_ransomware_campaign_use: false,
                        }),
                        epss: Some(Epss {
                            score: (v % 100) as f64 / 100.0,
                            percentile: 0.5,
                            date: None,
                        }),
                        status: FixStatus::Fixed,
                        severity_source: None,
                        cwes: if v % 13 == 0 {
                            vec!["CWE-787".into()]
                        } else {
                            Vec::new()
                        },
                    }
                })
                .collect();
            ScanReport {
                source: "registry".into(),
                artifact: Artifact {
                    name: format!("registry.example/app-{i}:1"),
                    kind: ArtifactKind::Image,
                    manifest_digest: None,
                    config_digest: None,
                    repo_tags: Vec::new(),
                    repo_digests: Vec::new(),
                    architecture: None,
                    os: None,
                    layers: Vec::new(),
                },
                os: None,
                databases: Vec::new(),
                packages_scanned: 100 + i % 400,
                findings,
                suppressed: Vec::new(),
                remediations: Vec::new(),
            }
        })
        .collect();
    let alerts = (0..s.alerts)
        .map(|a| {
            let d = a * 37 % s.deployments.max(1);
            json!({
                "id": format!("PAL-NODE-001/{a}/1"),
                "rule": "Shell spawned in a container",
                "severity": "HIGH",
                "evt_type": "execve",
                "container": {"id": format!("{a:064x}"), "pod_name": format!("app-{d}-5f6d-0"), "pod_namespace": format!("ns-{}", d % s.namespaces.max(1))}
            })
        })
        .collect();
    (y, reports, alerts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_synthetic_cluster_builds_with_every_part() {
        let shape = Shape {
            namespaces: 10,
            nodes: 3,
            deployments: 60,
            pods_per_deployment: 2,
            service_accounts_per_namespace: 4,
            images: 120,
            findings_per_image: 5,
            alerts: 3,
        };
        let (y, reports, alerts) = generate(&shape);
        let mut loaded = palisade_k8s::Loaded::default();
        palisade_k8s::load_str(&y, "synthetic".into(), &Default::default(), &mut loaded);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors.first());
        let cx = crate::build(&crate::Inputs {
            inventory: palisade_k8s::Inventory::new(loaded.objects),
            reports,
            alerts,
        });
        use crate::NodeKind::*;
        assert_eq!(cx.g.count(Workload), 60);
        assert_eq!(cx.g.count(Pod), 120);
        assert_eq!(cx.g.count(Node), 3);
        assert_eq!(cx.g.count(ServiceAccount), 40);
        assert!(cx.g.count(Vulnerability) > 0);
        assert_eq!(cx.alerts.len(), 3);
        assert!(cx.alerts.iter().all(|a| a.workload.is_some()));
        let report = crate::paths::find(&cx, 10);
        assert!(report.total > 0);
    }
}
