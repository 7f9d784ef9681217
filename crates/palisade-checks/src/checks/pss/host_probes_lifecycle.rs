//! PAL-K8S-012 — Probes and lifecycle hooks aimed at another host (PSS baseline,
//! `hostProbesAndHostLifecycle`, policy v1.34).
//!
//! **What**: `host` of `httpGet` and `tcpSocket` in liveness, readiness and startup probes
//! and in `postStart`/`preStop` lifecycle handlers must be unset or empty.
//! **Why**: the kubelet performs these requests from the node: a `host` turns the kubelet
//! into a proxy towards any address the node can reach (metadata services, node-local APIs).
//! **Example** (fires): `livenessProbe: {httpGet: {host: 169.254.169.254, path: /, port: 80}}`.
//! **Remediation**: remove `host` (the pod's own IP is used).
//! **References**: PSS baseline (Host Probes / Lifecycle Hooks); ATT&CK T1090, T1552.005.

use crate::check::*;
use crate::util::describe;
use k8s_openapi::api::core::v1::{HTTPGetAction, TCPSocketAction};
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct HostProbesLifecycle;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-012",
    slug: "host_probes_lifecycle",
    title: "Probe or lifecycle hook targets another host",
    severity: Severity::Medium,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Baseline),
        pss_control: Some("hostProbesAndHostLifecycle"),
        cis: &[],
        nsa: &["Pod security"],
        mitre: &["T1090", "T1552.005"],
    },
    rationale: "The kubelet sends probe and hook requests from the node; a host field makes it reach arbitrary addresses for the pod.",
    remediation: "Remove the host field from httpGet and tcpSocket probes and lifecycle handlers.",
    patch: "livenessProbe:\n  httpGet:\n    path: /healthz\n    port: 8080\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

fn hosts(
    http: Option<&HTTPGetAction>,
    tcp: Option<&TCPSocketAction>,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(h) = http.and_then(|h| h.host.clone()).filter(|h| !h.is_empty()) {
        out.push(("httpGet", h));
    }
    if let Some(h) = tcp.and_then(|t| t.host.clone()).filter(|h| !h.is_empty()) {
        out.push(("tcpSocket", h));
    }
    out
}

impl Check for HostProbesLifecycle {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for c in t.containers() {
            let k = &c.container;
            let mut places = Vec::new();
            for (name, p) in [
                ("livenessProbe", &k.liveness_probe),
                ("readinessProbe", &k.readiness_probe),
                ("startupProbe", &k.startup_probe),
            ] {
                if let Some(p) = p {
                    places.push((
                        name.to_owned(),
                        hosts(p.http_get.as_ref(), p.tcp_socket.as_ref()),
                    ));
                }
            }
            if let Some(l) = &k.lifecycle {
                for (name, h) in [("postStart", &l.post_start), ("preStop", &l.pre_stop)] {
                    if let Some(h) = h {
                        places.push((
                            format!("lifecycle/{name}"),
                            hosts(h.http_get.as_ref(), h.tcp_socket.as_ref()),
                        ));
                    }
                }
            }
            for (place, found) in places {
                for (action, host) in found {
                    out.push(Violation::new(
                        format!(
                            "{} {} {action} targets host {host:?}",
                            describe(c),
                            place.replace('/', ".")
                        ),
                        t.container_field(c, &format!("{place}/{action}/host")),
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
    fn fires_on_probe_and_hook_hosts() {
        let f = run(&HostProbesLifecycle, &pod("  containers:\n  - name: c\n    livenessProbe:\n      httpGet: {host: 169.254.169.254, path: /, port: 80}\n    lifecycle:\n      preStop:\n        tcpSocket:\n          host: 10.0.0.1\n          port: 22\n"));
        assert_eq!(f.len(), 2, "{:?}", messages(&f));
        assert!(f[1].message.contains("lifecycle.preStop tcpSocket"));
        assert_eq!(f[1].location.line, 14);
    }

    #[test]
    fn does_not_fire_without_host() {
        assert!(run(&HostProbesLifecycle, &pod("  containers:\n  - name: c\n    readinessProbe:\n      httpGet: {path: /, port: 80, host: \"\"}\n")).is_empty());
    }
}
