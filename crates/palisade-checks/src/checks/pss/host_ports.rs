//! PAL-K8S-006 — Host ports (PSS baseline, `hostPorts`).
//!
//! **What**: `ports[].hostPort` must be unset or `0` on every container.
//! **Why**: a host port binds the node's own address, bypassing Services and network
//! policies, and exposes the workload on every network the node is attached to.
//! **Example** (fires): `ports: [{containerPort: 80, hostPort: 80}]`.
//! **Remediation**: remove `hostPort`; publish through a Service (ClusterIP, LoadBalancer).
//! **References**: PSS baseline (Host Ports); CIS 5.2.13; ATT&CK T1133.

use crate::check::*;
use crate::util::describe;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct HostPorts;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-006",
    slug: "host_ports",
    title: "Container binds a host port",
    severity: Severity::Medium,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Baseline),
        pss_control: Some("hostPorts"),
        cis: &["5.2.13"],
        nsa: &["Network separation and hardening"],
        mitre: &["T1133"],
    },
    rationale: "Host ports expose the container on the node's network interfaces, outside Services and NetworkPolicies.",
    remediation: "Remove hostPort from the container's ports and expose the port through a Service.",
    patch: "ports:\n- containerPort: 8080\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

impl Check for HostPorts {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for c in t.containers() {
            for (i, p) in c.container.ports.iter().flatten().enumerate() {
                if let Some(hp) = p.host_port.filter(|p| *p != 0) {
                    out.push(
                        Violation::new(
                            format!("{} uses hostPort {hp}", describe(c)),
                            t.container_field(c, &format!("ports/{i}/hostPort")),
                        )
                        .patch_at(t.container_field(c, "")),
                    );
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
    fn fires_on_non_zero_host_port() {
        let f = run(&HostPorts, &pod("  containers:\n  - name: c\n    ports:\n    - containerPort: 80\n      hostPort: 8080\n    - containerPort: 81\n      hostPort: 0\n"));
        assert_eq!(messages(&f), ["container \"c\" uses hostPort 8080"]);
        assert_eq!(f[0].location.line, 11);
    }

    #[test]
    fn does_not_fire_without_host_port() {
        assert!(run(
            &HostPorts,
            &pod("  containers:\n  - name: c\n    ports: [{containerPort: 80}]\n")
        )
        .is_empty());
    }
}
