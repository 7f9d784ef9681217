//! PAL-K8S-031 — Administrative UI exposed outside the cluster.
//!
//! **What**: a LoadBalancer or NodePort Service, or an Ingress backend, that fronts a known
//! administrative UI: the Kubernetes dashboard, Argo CD, Grafana, Kibana, Prometheus,
//! Alertmanager, Jaeger, Rancher, Weave Scope, Portainer, Headlamp, Jenkins, Airflow,
//! Kubeflow, kube-ops-view (matched by the Service's name or the selector's
//! `app`, `k8s-app`, `app.kubernetes.io/name` label).
//! **Why**: admin UIs are prime targets (Tesla's cryptojacking went through an open
//! dashboard); many run with broad service-account permissions.
//! **Example** (fires): `kind: Service`, `name: kubernetes-dashboard`, `type: LoadBalancer`.
//! **Remediation**: keep the UI on a ClusterIP and reach it through `kubectl port-forward`,
//! a VPN, or an authenticating proxy.
//! **References**: NSA/CISA "Network separation and hardening"; ATT&CK T1133, T1190.

use crate::check::*;
use palisade_k8s::Object;
use palisade_model::Severity;

pub struct AdminUiExposed;

const ADMIN_UIS: &[&str] = &[
    "kubernetes-dashboard",
    "dashboard",
    "k8s-dashboard",
    "argocd-server",
    "grafana",
    "kibana",
    "prometheus",
    "prometheus-server",
    "alertmanager",
    "jaeger-query",
    "rancher",
    "weave-scope-app",
    "portainer",
    "headlamp",
    "jenkins",
    "airflow-webserver",
    "kubeflow",
    "centraldashboard",
    "kube-ops-view",
];

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-031",
    slug: "admin_ui_exposed",
    title: "Administrative UI exposed outside the cluster",
    severity: Severity::High,
    category: Category::Exposure,
    frameworks: Frameworks { nsa: &["Network separation and hardening"], mitre: &["T1133", "T1190"], ..Frameworks::NONE },
    rationale: "Dashboards and admin consoles reachable from outside are a direct way into the cluster.",
    remediation: "Make the Service ClusterIP and reach the UI through port-forward, a VPN or an authenticating proxy; remove public Ingress rules for it.",
    patch: "spec:\n  type: ClusterIP\n",
    overrides: &[],
    references: &[super::SERVICE_DOC],
};

fn is_admin_ui(name: &str) -> bool {
    ADMIN_UIS.contains(&name)
}

fn selector_app(o: &Object) -> Option<&str> {
    ["app", "k8s-app", "app.kubernetes.io/name"]
        .iter()
        .find_map(|k| {
            o.pointer("/spec/selector")
                .and_then(|s| s.get(*k))
                .and_then(|v| v.as_str())
        })
}

impl Check for AdminUiExposed {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_object(&self, o: &Object, _: &Context<'_>, out: &mut Vec<Violation>) {
        if let Some(t) = super::service_type(o) {
            if matches!(t, "LoadBalancer" | "NodePort") {
                if let Some(ui) = [Some(o.name.as_str()), selector_app(o)]
                    .into_iter()
                    .flatten()
                    .find(|n| is_admin_ui(n))
                {
                    out.push(Violation::new(
                        format!("{t} Service exposes {ui}"),
                        "/spec/type".to_owned(),
                    ));
                }
            }
            return;
        }
        if o.kind == "Ingress" {
            let Some(rules) = o.pointer("/spec/rules").and_then(|r| r.as_array()) else {
                return;
            };
            for (i, rule) in rules.iter().enumerate() {
                let paths = rule
                    .pointer("/http/paths")
                    .and_then(|p| p.as_array())
                    .into_iter()
                    .flatten()
                    .enumerate();
                for (j, path) in paths {
                    let svc = path
                        .pointer("/backend/service/name")
                        .or_else(|| path.pointer("/backend/serviceName"))
                        .and_then(|n| n.as_str());
                    if let Some(svc) = svc.filter(|s| is_admin_ui(s)) {
                        out.push(Violation::new(
                            format!("Ingress routes to {svc}"),
                            format!("/spec/rules/{i}/http/paths/{j}/backend"),
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_on_exposed_dashboards_and_ingress_routes() {
        let f = run(&AdminUiExposed, &super::super::service("kubernetes-dashboard", "  type: LoadBalancer\n  selector: {k8s-app: kubernetes-dashboard}\n  ports: [{port: 443}]\n"));
        assert_eq!(
            messages(&f),
            ["LoadBalancer Service exposes kubernetes-dashboard"]
        );
        let f = run(&AdminUiExposed, "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n  - host: argo.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service: {name: argocd-server, port: {number: 80}}\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].location.line, 11, "the line of the `backend:` key");
    }

    #[test]
    fn does_not_fire_on_cluster_ip_or_other_apps() {
        assert!(run(
            &AdminUiExposed,
            &super::super::service(
                "grafana",
                "  selector: {app: grafana}\n  ports: [{port: 80}]\n"
            )
        )
        .is_empty());
        assert!(run(
            &AdminUiExposed,
            &super::super::service(
                "shop",
                "  type: LoadBalancer\n  selector: {app: shop}\n  ports: [{port: 80}]\n"
            )
        )
        .is_empty());
    }
}
