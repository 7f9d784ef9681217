//! The explicit table of host checks. A check that is not listed here never runs; the test
//! below fails when a check file under `src/host/<family>/` is missing from the table, or an
//! id or CIS number is reused.

use super::check::HostCheck;
use super::{docker, kubernetes};

pub static HOST_CHECKS: &[&dyn HostCheck] = &[
    &docker::separate_partition::SeparatePartition,
    &docker::audit_dockerd::AuditDockerd,
    &docker::audit_run_containerd::AuditRunContainerd,
    &docker::audit_var_lib_docker::AuditVarLibDocker,
    &docker::audit_etc_docker::AuditEtcDocker,
    &docker::audit_docker_service::AuditDockerService,
    &docker::audit_containerd_sock::AuditContainerdSock,
    &docker::audit_docker_socket::AuditDockerSocket,
    &docker::audit_default_docker::AuditDefaultDocker,
    &docker::audit_daemon_json::AuditDaemonJson,
    &docker::audit_containerd_config::AuditContainerdConfig,
    &docker::audit_sysconfig_docker::AuditSysconfigDocker,
    &docker::audit_containerd::AuditContainerd,
    &docker::audit_containerd_shim::AuditContainerdShim,
    &docker::audit_containerd_shim_runc_v1::AuditContainerdShimRuncV1,
    &docker::audit_containerd_shim_runc_v2::AuditContainerdShimRuncV2,
    &docker::audit_runc::AuditRunc,
    &docker::icc::Icc,
    &docker::log_level::LogLevel,
    &docker::iptables::Iptables,
    &docker::insecure_registries::InsecureRegistries,
    &docker::aufs::Aufs,
    &docker::tls_auth::TlsAuth,
    &docker::userns::UserNamespaces,
    &docker::cgroup_parent::CgroupParent,
    &docker::base_device_size::BaseDeviceSize,
    &docker::authorization_plugin::AuthorizationPlugin,
    &docker::remote_logging::RemoteLogging,
    &docker::daemon_no_new_privileges::DaemonNoNewPrivileges,
    &docker::live_restore::LiveRestore,
    &docker::userland_proxy::UserlandProxy,
    &docker::daemon_seccomp::DaemonSeccomp,
    &docker::experimental::Experimental,
    &docker::docker_service_owner::DockerServiceOwner,
    &docker::docker_service_mode::DockerServiceMode,
    &docker::docker_socket_unit_owner::DockerSocketUnitOwner,
    &docker::docker_socket_unit_mode::DockerSocketUnitMode,
    &docker::etc_docker_owner::EtcDockerOwner,
    &docker::etc_docker_mode::EtcDockerMode,
    &docker::registry_certs_owner::RegistryCertsOwner,
    &docker::registry_certs_mode::RegistryCertsMode,
    &docker::tls_ca_owner::TlsCaOwner,
    &docker::tls_ca_mode::TlsCaMode,
    &docker::tls_cert_owner::TlsCertOwner,
    &docker::tls_cert_mode::TlsCertMode,
    &docker::tls_key_owner::TlsKeyOwner,
    &docker::tls_key_mode::TlsKeyMode,
    &docker::docker_sock_owner::DockerSockOwner,
    &docker::docker_sock_mode::DockerSockMode,
    &docker::daemon_json_owner::DaemonJsonOwner,
    &docker::daemon_json_mode::DaemonJsonMode,
    &docker::default_docker_owner::DefaultDockerOwner,
    &docker::default_docker_mode::DefaultDockerMode,
    &docker::sysconfig_docker_mode::SysconfigDockerMode,
    &docker::sysconfig_docker_owner::SysconfigDockerOwner,
    &docker::containerd_sock_owner::ContainerdSockOwner,
    &docker::containerd_sock_mode::ContainerdSockMode,
    &docker::image_user::ImageUser,
    &docker::content_trust::ContentTrust,
    &docker::image_healthcheck::ImageHealthcheck,
    &docker::update_alone::UpdateAlone,
    &docker::add_instruction::AddInstruction,
    &docker::image_secrets::ImageSecrets,
    &docker::swarm_mode::SwarmMode,
    &docker::apparmor::AppArmor,
    &docker::selinux::SeLinux,
    &docker::capabilities::Capabilities,
    &docker::privileged::Privileged,
    &docker::sensitive_mounts::SensitiveMounts,
    &docker::sshd::Sshd,
    &docker::privileged_ports::PrivilegedPorts,
    &docker::host_network::HostNetwork,
    &docker::memory_limit::MemoryLimit,
    &docker::cpu_shares::CpuShares,
    &docker::read_only_root::ReadOnlyRoot,
    &docker::ports_all_interfaces::PortsAllInterfaces,
    &docker::restart_policy::RestartPolicy,
    &docker::host_pid::HostPid,
    &docker::host_ipc::HostIpc,
    &docker::host_devices::HostDevices,
    &docker::mount_propagation::MountPropagation,
    &docker::host_uts::HostUts,
    &docker::seccomp_unconfined::SeccompUnconfined,
    &docker::container_cgroup::ContainerCgroup,
    &docker::no_new_privileges::NoNewPrivileges,
    &docker::container_health::ContainerHealth,
    &docker::pids_limit::PidsLimit,
    &docker::default_bridge::DefaultBridge,
    &docker::host_userns::HostUserns,
    &docker::docker_socket_mount::DockerSocketMount,
    &kubernetes::kubelet_anonymous_auth::KubeletAnonymousAuth,
    &kubernetes::kubelet_authorization_mode::KubeletAuthorizationMode,
    &kubernetes::kubelet_client_ca::KubeletClientCa,
    &kubernetes::kubelet_read_only_port::KubeletReadOnlyPort,
    &kubernetes::kubelet_streaming_timeout::KubeletStreamingTimeout,
    &kubernetes::kubelet_iptables_chains::KubeletIptablesChains,
    &kubernetes::kubelet_hostname_override::KubeletHostnameOverride,
    &kubernetes::kubelet_event_qps::KubeletEventQps,
    &kubernetes::kubelet_tls_files::KubeletTlsFiles,
    &kubernetes::kubelet_rotate_certificates::KubeletRotateCertificates,
    &kubernetes::kubelet_rotate_server_certificate::KubeletRotateServerCertificate,
    &kubernetes::kubelet_tls_ciphers::KubeletTlsCiphers,
    &kubernetes::kubelet_pod_pids::KubeletPodPids,
    &kubernetes::apiserver_anonymous_auth::ApiserverAnonymousAuth,
    &kubernetes::apiserver_token_auth_file::ApiserverTokenAuthFile,
    &kubernetes::apiserver_always_allow::ApiserverAlwaysAllow,
    &kubernetes::apiserver_node_authorizer::ApiserverNodeAuthorizer,
    &kubernetes::apiserver_rbac::ApiserverRbac,
    &kubernetes::apiserver_always_admit::ApiserverAlwaysAdmit,
    &kubernetes::apiserver_node_restriction::ApiserverNodeRestriction,
    &kubernetes::apiserver_profiling::ApiserverProfiling,
    &kubernetes::apiserver_audit_log_path::ApiserverAuditLogPath,
    &kubernetes::apiserver_audit_log_maxage::ApiserverAuditLogMaxage,
    &kubernetes::apiserver_audit_log_maxbackup::ApiserverAuditLogMaxbackup,
    &kubernetes::apiserver_audit_log_maxsize::ApiserverAuditLogMaxsize,
    &kubernetes::apiserver_encryption::ApiserverEncryption,
    &kubernetes::controller_manager_profiling::ControllerManagerProfiling,
    &kubernetes::controller_manager_bind_address::ControllerManagerBindAddress,
    &kubernetes::scheduler_profiling::SchedulerProfiling,
    &kubernetes::scheduler_bind_address::SchedulerBindAddress,
    &kubernetes::etcd_tls::EtcdTls,
    &kubernetes::etcd_client_cert_auth::EtcdClientCertAuth,
    &kubernetes::etcd_auto_tls::EtcdAutoTls,
    &kubernetes::etcd_peer_client_cert_auth::EtcdPeerClientCertAuth,
    &kubernetes::etcd_peer_auto_tls::EtcdPeerAutoTls,
    &kubernetes::apiserver_kubelet_client_cert::ApiserverKubeletClientCert,
    &kubernetes::apiserver_kubelet_ca::ApiserverKubeletCa,
    &kubernetes::apiserver_service_account_admission::ApiserverServiceAccountAdmission,
    &kubernetes::apiserver_namespace_lifecycle::ApiserverNamespaceLifecycle,
    &kubernetes::apiserver_service_account_lookup::ApiserverServiceAccountLookup,
    &kubernetes::apiserver_service_account_key::ApiserverServiceAccountKey,
    &kubernetes::apiserver_etcd_client_cert::ApiserverEtcdClientCert,
    &kubernetes::apiserver_tls::ApiserverTls,
    &kubernetes::apiserver_client_ca::ApiserverClientCa,
    &kubernetes::apiserver_etcd_ca::ApiserverEtcdCa,
    &kubernetes::controller_manager_sa_credentials::ControllerManagerSaCredentials,
    &kubernetes::controller_manager_sa_key::ControllerManagerSaKey,
    &kubernetes::controller_manager_root_ca::ControllerManagerRootCa,
    &kubernetes::controller_manager_rotate_server_cert::ControllerManagerRotateServerCert,
    &kubernetes::etcd_peer_tls::EtcdPeerTls,
];

/// The host check with this id.
pub fn by_id(id: &str) -> Option<&'static dyn HostCheck> {
    HOST_CHECKS.iter().copied().find(|c| c.meta().id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::check::Benchmark;
    use crate::host::manual::MANUAL;
    use std::collections::BTreeSet;

    #[test]
    fn every_host_check_file_is_registered_once_with_a_unique_id() {
        let ids: BTreeSet<&str> = HOST_CHECKS.iter().map(|c| c.meta().id).collect();
        assert_eq!(ids.len(), HOST_CHECKS.len(), "duplicate host check ids");
        for c in HOST_CHECKS {
            let m = c.meta();
            let prefix = match m.benchmark {
                Benchmark::CisDocker => "PAL-DKR-",
                Benchmark::CisKubernetes => "PAL-KNODE-",
            };
            let n =
                m.id.strip_prefix(prefix)
                    .unwrap_or_else(|| panic!("{} is not {prefix}NNN", m.id));
            assert!(
                n.len() == 3 && n.chars().all(|c| c.is_ascii_digit()),
                "{}",
                m.id
            );
            for (what, text) in [
                ("title", m.title),
                ("rationale", m.rationale),
                ("remediation", m.remediation),
                ("fix", m.fix),
            ] {
                assert!(!text.trim().is_empty(), "{} has no {what}", m.id);
            }
            assert!(!m.references.is_empty(), "{} has no reference", m.id);
            assert!(m.level == 1 || m.level == 2, "{} level", m.id);
        }
        // One check per CIS recommendation, and no recommendation both automated and manual.
        let cis: BTreeSet<(Benchmark, &str)> = HOST_CHECKS
            .iter()
            .map(|c| (c.meta().benchmark, c.meta().cis))
            .collect();
        assert_eq!(
            cis.len(),
            HOST_CHECKS.len(),
            "two checks share a CIS number"
        );
        for m in MANUAL {
            assert!(
                !cis.contains(&(m.benchmark, m.cis)),
                "{} is both automated and manual",
                m.cis
            );
        }
        let slugs: BTreeSet<&str> = HOST_CHECKS.iter().map(|c| c.meta().slug).collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/host");
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
                    "{}/{name} is not in HOST_CHECKS",
                    family.display()
                );
            }
        }
        assert_eq!(files, HOST_CHECKS.len());
    }

    #[test]
    fn kubernetes_node_and_control_plane_sections_are_covered() {
        // CIS Kubernetes v1.10: API server 1.2, controller manager 1.3, scheduler 1.4, etcd 2,
        // kubelet 4.2 — every recommendation a check or listed as manual.
        let known: BTreeSet<&str> = HOST_CHECKS
            .iter()
            .filter(|c| c.meta().benchmark == Benchmark::CisKubernetes)
            .map(|c| c.meta().cis)
            .chain(
                MANUAL
                    .iter()
                    .filter(|m| m.benchmark == Benchmark::CisKubernetes)
                    .map(|m| m.cis),
            )
            .collect();
        let mut expected: Vec<String> = (1..=29).map(|n| format!("1.2.{n}")).collect();
        expected.extend((1..=7).map(|n| format!("1.3.{n}")));
        expected.extend((1..=2).map(|n| format!("1.4.{n}")));
        expected.extend((1..=7).map(|n| format!("2.{n}")));
        expected.extend((1..=13).map(|n| format!("4.2.{n}")));
        let missing: Vec<&String> = expected
            .iter()
            .filter(|e| !known.contains(e.as_str()))
            .collect();
        assert!(missing.is_empty(), "not covered: {missing:?}");
    }

    #[test]
    fn docker_sections_one_to_five_are_covered() {
        // Every recommendation of sections 1 to 5 (v1.6.0) has a check or is
        // listed as manual.
        let known: BTreeSet<&str> = HOST_CHECKS
            .iter()
            .filter(|c| c.meta().benchmark == Benchmark::CisDocker)
            .map(|c| c.meta().cis)
            .chain(MANUAL.iter().map(|m| m.cis))
            .collect();
        let mut expected: Vec<String> = (1..=18).map(|n| format!("1.1.{n}")).collect();
        expected.extend(["1.2.1".to_owned(), "1.2.2".to_owned()]);
        expected.extend((1..=18).map(|n| format!("2.{n}")));
        expected.extend((1..=24).map(|n| format!("3.{n}")));
        expected.extend((1..=12).map(|n| format!("4.{n}")));
        expected.extend((1..=32).map(|n| format!("5.{n}")));
        let missing: Vec<&String> = expected
            .iter()
            .filter(|e| !known.contains(e.as_str()))
            .collect();
        assert!(missing.is_empty(), "not covered: {missing:?}");
    }
}
