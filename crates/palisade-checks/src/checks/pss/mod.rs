//! The Pod Security Standards, exactly as the Kubernetes pod-security-admission code defines
//! them at policy version `latest` (v1.37): 12 baseline controls and 7 restricted ones. Every
//! control applies to init, regular and ephemeral containers.

pub mod allow_privilege_escalation;
pub mod apparmor;
pub mod capabilities_baseline;
pub mod capabilities_restricted;
pub mod host_namespaces;
pub mod host_path_volumes;
pub mod host_ports;
pub mod host_probes_lifecycle;
pub mod host_process;
pub mod privileged;
pub mod proc_mount;
pub mod proc_mount_restricted;
pub mod restricted_volumes;
pub mod run_as_non_root;
pub mod run_as_user;
pub mod seccomp_baseline;
pub mod seccomp_restricted;
pub mod selinux;
pub mod sysctls;

use palisade_k8s::PodTemplate;

/// User-namespace pods (`hostUsers: false`) get the v1.35 relaxations.
pub(crate) fn user_namespaced(t: &PodTemplate<'_>) -> bool {
    t.spec.host_users == Some(false)
}

pub(crate) const PSS_DOC: &str =
    "https://kubernetes.io/docs/concepts/security/pod-security-standards/";
