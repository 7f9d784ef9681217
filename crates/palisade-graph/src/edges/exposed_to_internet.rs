//! `exposed_to_internet`: an ingress, a load balancer, a node port or an external IP makes
//! a service reachable from outside the cluster. Defender's "exposed to the internet".

use super::{EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "exposed_to_internet",
    title: "Exposed to the internet",
    condition: "An Ingress routes to the service, or the service is of type LoadBalancer (unless loadBalancerSourceRanges leave out 0.0.0.0/0) or NodePort, or has externalIPs.",
    evidence: "The exposing object and the service.",
    mitre: "T1133",
    fix: "Make the service ClusterIP, restrict loadBalancerSourceRanges, or put authentication in front of the ingress.",
    origin: "Defender",
    likelihood: 1.0,
    fires: Fixture::manifests("apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a}\nspec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a, labels: {app: web}}\nspec: {containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]}\n"),
    clean: Fixture::manifests("apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a}\nspec: {type: ClusterIP, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a, labels: {app: web}}\nspec: {containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]}\n"),
    detect: |cx, out| {
        for e in &cx.exposures {
            for &s in &e.services {
                let svc = &cx.services[s];
                out.push(
                    e.node,
                    svc.node,
                    format!("{} ({}) exposes Service {}/{}", e.display, e.kind, svc.namespace, svc.name),
                    match e.kind {
                        "ingress" => format!("remove {} or require authentication on it", e.display),
                        _ => format!("make {} type ClusterIP", e.display),
                    },
                );
            }
        }
    },
};
