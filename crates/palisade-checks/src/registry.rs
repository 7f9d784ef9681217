//! The explicit table of checks. A check that is not listed here never runs; the test below
//! fails when a check file is missing from the table, or an id is reused.

use crate::check::Check;
use crate::checks::{exposure, host, hygiene, pss, rbac};

pub static CHECKS: &[&dyn Check] = &[
    // Pod Security Standards, baseline (12).
    &pss::host_process::HostProcess,
    &pss::host_namespaces::HostNamespaces,
    &pss::privileged::Privileged,
    &pss::capabilities_baseline::CapabilitiesBaseline,
    &pss::host_path_volumes::HostPathVolumes,
    &pss::host_ports::HostPorts,
    &pss::apparmor::AppArmor,
    &pss::selinux::SeLinux,
    &pss::proc_mount::ProcMount,
    &pss::seccomp_baseline::SeccompBaseline,
    &pss::sysctls::Sysctls,
    &pss::host_probes_lifecycle::HostProbesLifecycle,
    // Pod Security Standards, restricted (7).
    &pss::restricted_volumes::RestrictedVolumes,
    &pss::allow_privilege_escalation::AllowPrivilegeEscalation,
    &pss::run_as_non_root::RunAsNonRoot,
    &pss::run_as_user::RunAsUser,
    &pss::seccomp_restricted::SeccompRestricted,
    &pss::capabilities_restricted::CapabilitiesRestricted,
    &pss::proc_mount_restricted::ProcMountRestricted,
    // RBAC risk.
    &rbac::wildcard::Wildcard,
    &rbac::read_secrets::ReadSecrets,
    &rbac::pod_exec_attach::PodExecAttach,
    &rbac::create_workloads::CreateWorkloads,
    &rbac::escalate_bind_impersonate::EscalateBindImpersonate,
    &rbac::nodes_proxy::NodesProxy,
    &rbac::token_request::TokenRequest,
    &rbac::webhook_config_write::WebhookConfigWrite,
    &rbac::anonymous_binding::AnonymousBinding,
    &rbac::cluster_admin_binding::ClusterAdminBinding,
    &rbac::system_masters_binding::SystemMastersBinding,
    &rbac::cluster_admin_user::ClusterAdminUser,
    &rbac::create_persistent_volumes::CreatePersistentVolumes,
    &rbac::approve_csr::ApproveCsr,
    &rbac::delete_events::DeleteEvents,
    &rbac::write_rbac::WriteRbac,
    &rbac::update_workloads::UpdateWorkloads,
    &rbac::port_forward::PortForward,
    &rbac::ephemeral_containers::EphemeralContainers,
    &rbac::write_secrets::WriteSecrets,
    &rbac::write_network_policies::WriteNetworkPolicies,
    &rbac::write_service_routing::WriteServiceRouting,
    // Exposure.
    &exposure::admin_ui_exposed::AdminUiExposed,
    &exposure::load_balancer_source_ranges::LoadBalancerSourceRanges,
    &exposure::node_port::NodePort,
    &exposure::external_ips::ExternalIps,
    &exposure::ingress_without_tls::IngressWithoutTls,
    &exposure::ingress_snippets::IngressSnippets,
    &exposure::sensitive_port_exposed::SensitivePortExposed,
    // Host access.
    &host::sensitive_host_path::SensitiveHostPath,
    &host::writable_host_path::WritableHostPath,
    &host::persistent_volume_host_path::PersistentVolumeHostPath,
    &host::dangerous_capabilities::DangerousCapabilities,
    // Hygiene.
    &hygiene::memory_limit::MemoryLimit,
    &hygiene::cpu_limit::CpuLimit,
    &hygiene::resource_requests::ResourceRequests,
    &hygiene::image_latest::ImageLatest,
    &hygiene::image_digest::ImageDigest,
    &hygiene::registry_allow_list::RegistryAllowList,
    &hygiene::liveness_probe::LivenessProbe,
    &hygiene::readiness_probe::ReadinessProbe,
    &hygiene::automount_token::AutomountToken,
    &hygiene::default_service_account::DefaultServiceAccount,
    &hygiene::default_namespace::DefaultNamespace,
    &hygiene::namespace_network_policy::NamespaceNetworkPolicy,
    &hygiene::secret_env::SecretEnv,
    &hygiene::credentials_in_env::CredentialsInEnv,
    &hygiene::webhook_failure_policy::WebhookFailurePolicy,
    &hygiene::read_only_root_fs::ReadOnlyRootFs,
    &hygiene::share_process_namespace::ShareProcessNamespace,
    &hygiene::credentials_in_configmap::CredentialsInConfigMap,
    &hygiene::service_account_token_secret::ServiceAccountTokenSecret,
    &hygiene::bare_pod::BarePod,
    &hygiene::image_pull_policy::ImagePullPolicy,
    &hygiene::root_group::RootGroup,
    &hygiene::low_uid::LowUid,
    &hygiene::default_sa_automount::DefaultSaAutomount,
    &hygiene::kube_system_workload::KubeSystemWorkload,
    &hygiene::namespace_pss_label::NamespacePssLabel,
    &hygiene::deprecated_api::DeprecatedApi,
    &hygiene::namespace_resource_quota::NamespaceResourceQuota,
    &hygiene::emptydir_memory::EmptyDirMemory,
    &hygiene::secret_last_applied::SecretLastApplied,
    &hygiene::privileged_port::PrivilegedPort,
    &hygiene::missing_security_context::MissingSecurityContext,
    &hygiene::apparmor_not_set::AppArmorNotSet,
];

/// The check with this id.
pub fn by_id(id: &str) -> Option<&'static dyn Check> {
    CHECKS.iter().copied().find(|c| c.meta().id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::PssLevel;
    use std::collections::BTreeSet;

    #[test]
    fn every_check_file_is_registered_once_with_a_unique_id() {
        let ids: Vec<&str> = CHECKS.iter().map(|c| c.meta().id).collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "duplicate check ids");
        for id in &ids {
            let n = id.strip_prefix("PAL-K8S-").expect("id format PAL-K8S-NNN");
            assert!(
                n.len() == 3 && n.chars().all(|c| c.is_ascii_digit()),
                "{id}"
            );
        }
        let slugs: BTreeSet<&str> = CHECKS.iter().map(|c| c.meta().slug).collect();
        assert_eq!(slugs.len(), CHECKS.len(), "duplicate slugs");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
        let mut files = 0;
        for family in std::fs::read_dir(&root).unwrap() {
            let family = family.unwrap().path();
            if !family.is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(&family).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                let Some(stem) = name.strip_suffix(".rs") else {
                    continue;
                };
                if stem == "mod" {
                    continue;
                }
                files += 1;
                assert!(
                    slugs.contains(stem),
                    "{}/{name} is not in CHECKS",
                    family.display()
                );
            }
        }
        assert_eq!(files, CHECKS.len());
    }

    #[test]
    fn metadata_is_complete() {
        for c in CHECKS {
            let m = c.meta();
            for (what, text) in [
                ("title", m.title),
                ("rationale", m.rationale),
                ("remediation", m.remediation),
                ("patch", m.patch),
            ] {
                assert!(!text.trim().is_empty(), "{} has no {what}", m.id);
            }
            assert!(!m.references.is_empty(), "{} has no reference", m.id);
            assert!(
                !m.frameworks.mitre.is_empty()
                    || !m.frameworks.cis.is_empty()
                    || !m.frameworks.nsa.is_empty(),
                "{} maps to no framework",
                m.id
            );
        }
    }

    #[test]
    fn pod_security_standards_are_complete() {
        let controls = |level| -> BTreeSet<&str> {
            CHECKS
                .iter()
                .filter(|c| c.meta().frameworks.pss == Some(level))
                .map(|c| c.meta().frameworks.pss_control.unwrap())
                .collect()
        };
        let baseline: BTreeSet<&str> = [
            "windowsHostProcess",
            "hostNamespaces",
            "privileged",
            "capabilities_baseline",
            "hostPathVolumes",
            "hostPorts",
            "appArmorProfile",
            "seLinuxOptions",
            "procMount",
            "seccompProfile_baseline",
            "sysctls",
            "hostProbesAndHostLifecycle",
        ]
        .into();
        let restricted: BTreeSet<&str> = [
            "restrictedVolumes",
            "allowPrivilegeEscalation",
            "runAsNonRoot",
            "runAsUser",
            "seccompProfile_restricted",
            "capabilities_restricted",
            "procMount_restricted",
        ]
        .into();
        assert_eq!(controls(PssLevel::Baseline), baseline);
        assert_eq!(controls(PssLevel::Restricted), restricted);
        // Every override names a baseline control.
        for c in CHECKS {
            for o in c.meta().overrides {
                assert!(
                    baseline.contains(o),
                    "{} overrides unknown {o}",
                    c.meta().id
                );
            }
        }
    }
}
