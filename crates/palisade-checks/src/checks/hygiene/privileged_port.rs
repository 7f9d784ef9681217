//! PAL-K8S-081 — Container listens on a privileged port.
//!
//! **What**: a `containerPort` below 1024.
//! **Why**: binding a port below 1024 needs root or `NET_BIND_SERVICE`: the image is built to
//! run with privileges it should not need (any port can be published on 80/443 by a Service).
//! **Example** (fires): `ports: [{containerPort: 80}]`.
//! **Remediation**: listen on an unprivileged port (8080) and map it in the Service.
//! **References**: NSA/CISA "Pod security: non-root containers"; ATT&CK T1068.

use crate::check::*;
use crate::util::describe;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct PrivilegedPort;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-081",
    slug: "privileged_port",
    title: "Container listens on a privileged port",
    severity: Severity::Low,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        nsa: &["Pod security: non-root containers"],
        mitre: &["T1068"],
        ..Frameworks::NONE
    },
    rationale: "Ports below 1024 need root or NET_BIND_SERVICE inside the container.",
    remediation: "Listen on a port of 1024 or above and let the Service map port 80/443 to it.",
    patch: "ports:\n- containerPort: 8080\n",
    overrides: &[],
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service",
    ],
};

impl Check for PrivilegedPort {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        if t.spec.host_users == Some(false) {
            return;
        }
        for c in t.containers() {
            for (i, p) in c.container.ports.iter().flatten().enumerate() {
                if (1..1024).contains(&p.container_port) {
                    out.push(Violation::new(
                        format!("{} listens on port {}", describe(c), p.container_port),
                        t.container_field(c, &format!("ports/{i}/containerPort")),
                    ));
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
    fn fires_below_1024() {
        assert_eq!(run(&PrivilegedPort, &pod("  containers:\n  - {name: c, ports: [{containerPort: 80}, {containerPort: 8080}]}\n")).len(), 1);
    }

    #[test]
    fn does_not_fire_on_high_ports() {
        assert!(run(
            &PrivilegedPort,
            &pod("  containers:\n  - {name: c, ports: [{containerPort: 8443}]}\n")
        )
        .is_empty());
    }
}
