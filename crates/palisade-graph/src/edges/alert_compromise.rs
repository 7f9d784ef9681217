//! `alert_compromise`: a runtime alert (sensor or audit) on a pod: treat its containers as
//! possibly in the attacker's hands already.

use super::{container_label, EdgeKind, Fixture};

pub static KIND: EdgeKind = EdgeKind {
    id: "alert_compromise",
    title: "Runtime alert on the workload",
    condition: "An alert names a pod (container.pod_namespace/pod_name of a sensor alert, resource.namespace/name of an audit alert) of the workload.",
    evidence: "The alert's rule and the pod.",
    mitre: "T1204.003",
    fix: "Investigate the alert; replace the pods from a trusted image.",
    origin: "Palisade",
    likelihood: 0.9,
    fires: Fixture { manifests: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\nspec: {template: {spec: {containers: [{name: c, image: x}]}}}\n", reports: "", alerts: "{\"id\":\"PAL-NODE-001/1/2\",\"rule\":\"Shell in container\",\"severity\":\"HIGH\",\"container\":{\"id\":\"abc\",\"pod_name\":\"web-7d9f8-x2k4p\",\"pod_namespace\":\"a\"}}\n" },
    clean: Fixture { manifests: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\nspec: {template: {spec: {containers: [{name: c, image: x}]}}}\n", reports: "", alerts: "{\"id\":\"PAL-NODE-001/1/2\",\"rule\":\"Shell in container\",\"severity\":\"HIGH\",\"container\":{\"id\":\"abc\",\"pod_name\":\"webshop-1\",\"pod_namespace\":\"a\"}}\n" },
    detect: |cx, out| {
        for a in &cx.alerts {
            let Some(wi) = a.workload else { continue };
            let w = &cx.workloads[wi];
            for c in &w.containers {
                out.push(
                    a.node,
                    c.node,
                    format!("alert \"{}\" on a pod of {}: {}", a.rule, w.display, container_label(w, c)),
                    format!("investigate \"{}\" and redeploy {} from a trusted image", a.rule, w.display),
                );
            }
        }
    },
};
