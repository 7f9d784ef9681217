//! PAL-K8S-002 — Host namespaces (PSS baseline, `hostNamespaces`).
//!
//! **What**: `hostNetwork`, `hostPID` and `hostIPC` must be unset or `false`.
//! **Why**: sharing the node's network, process or IPC namespace lets a container sniff node
//! traffic, reach node-local services, see and signal every process on the node, and read
//! shared memory of other workloads.
//! **Example** (fires): `spec: {hostPID: true}`.
//! **Remediation**: remove the fields; expose ports through a Service instead of hostNetwork.
//! **References**: PSS baseline (Host Namespaces); CIS 5.2.3, 5.2.4, 5.2.5; ATT&CK T1611.

use crate::check::*;
use palisade_k8s::PodTemplate;
use palisade_model::Severity;

pub struct HostNamespaces;

static META: CheckMeta = CheckMeta {
    id: "PAL-K8S-002",
    slug: "host_namespaces",
    title: "Pod shares a host namespace (hostNetwork, hostPID, hostIPC)",
    severity: Severity::High,
    category: Category::PodSecurity,
    frameworks: Frameworks {
        pss: Some(PssLevel::Baseline),
        pss_control: Some("hostNamespaces"),
        cis: &["5.2.3", "5.2.4", "5.2.5"],
        nsa: &["Pod security: host namespaces"],
        mitre: &["T1611"],
    },
    rationale: "Host namespaces remove the isolation between the container and the node's processes, network and IPC.",
    remediation: "Remove hostNetwork, hostPID and hostIPC (or set them to false).",
    patch: "hostNetwork: false\nhostPID: false\nhostIPC: false\n",
    overrides: &[],
    references: &[super::PSS_DOC],
};

impl Check for HostNamespaces {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn check_template(&self, t: &PodTemplate<'_>, _: &Context<'_>, out: &mut Vec<Violation>) {
        for (field, value) in [
            ("hostNetwork", t.spec.host_network),
            ("hostPID", t.spec.host_pid),
            ("hostIPC", t.spec.host_ipc),
        ] {
            if value == Some(true) {
                out.push(
                    Violation::new(format!("{field}=true"), t.spec_field(field))
                        .patch_at(t.spec_pointer),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::testing::*;

    #[test]
    fn fires_once_per_namespace_on_its_line() {
        let f = run(&HostNamespaces, &deployment("      hostNetwork: true\n      hostPID: false\n      hostIPC: true\n      containers: [{name: a}]\n"));
        assert_eq!(messages(&f), ["hostNetwork=true", "hostIPC=true"]);
        assert_eq!(f[0].location.line, 11);
        assert_eq!(f[1].location.line, 13);
        assert_eq!(f[0].object.to_string(), "Deployment/shop/web");
    }

    #[test]
    fn does_not_fire_when_unset() {
        assert!(run(
            &HostNamespaces,
            &deployment("      containers: [{name: a}]\n")
        )
        .is_empty());
    }
}
