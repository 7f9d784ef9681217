//! CIS Docker Benchmark v1.6.0 checks, one file each: host configuration (section 1: separate
//! partition, audit rules), daemon configuration (section 2), daemon
//! files (section 3), images (section 4), container runtime (section 5). The helpers below
//! are shared by the checks of one section.

pub mod add_instruction;
pub mod apparmor;
pub mod audit_containerd;
pub mod audit_containerd_config;
pub mod audit_containerd_shim;
pub mod audit_containerd_shim_runc_v1;
pub mod audit_containerd_shim_runc_v2;
pub mod audit_containerd_sock;
pub mod audit_daemon_json;
pub mod audit_default_docker;
pub mod audit_docker_service;
pub mod audit_docker_socket;
pub mod audit_dockerd;
pub mod audit_etc_docker;
pub mod audit_run_containerd;
pub mod audit_runc;
pub mod audit_sysconfig_docker;
pub mod audit_var_lib_docker;
pub mod aufs;
pub mod authorization_plugin;
pub mod base_device_size;
pub mod capabilities;
pub mod cgroup_parent;
pub mod container_cgroup;
pub mod container_health;
pub mod containerd_sock_mode;
pub mod containerd_sock_owner;
pub mod content_trust;
pub mod cpu_shares;
pub mod daemon_json_mode;
pub mod daemon_json_owner;
pub mod daemon_no_new_privileges;
pub mod daemon_seccomp;
pub mod default_bridge;
pub mod default_docker_mode;
pub mod default_docker_owner;
pub mod docker_service_mode;
pub mod docker_service_owner;
pub mod docker_sock_mode;
pub mod docker_sock_owner;
pub mod docker_socket_mount;
pub mod docker_socket_unit_mode;
pub mod docker_socket_unit_owner;
pub mod etc_docker_mode;
pub mod etc_docker_owner;
pub mod experimental;
pub mod host_devices;
pub mod host_ipc;
pub mod host_network;
pub mod host_pid;
pub mod host_userns;
pub mod host_uts;
pub mod icc;
pub mod image_healthcheck;
pub mod image_secrets;
pub mod image_user;
pub mod insecure_registries;
pub mod iptables;
pub mod live_restore;
pub mod log_level;
pub mod memory_limit;
pub mod mount_propagation;
pub mod no_new_privileges;
pub mod pids_limit;
pub mod ports_all_interfaces;
pub mod privileged;
pub mod privileged_ports;
pub mod read_only_root;
pub mod registry_certs_mode;
pub mod registry_certs_owner;
pub mod remote_logging;
pub mod restart_policy;
pub mod seccomp_unconfined;
pub mod selinux;
pub mod sensitive_mounts;
pub mod separate_partition;
pub mod sshd;
pub mod swarm_mode;
pub mod sysconfig_docker_mode;
pub mod sysconfig_docker_owner;
pub mod tls_auth;
pub mod tls_ca_mode;
pub mod tls_ca_owner;
pub mod tls_cert_mode;
pub mod tls_cert_owner;
pub mod tls_key_mode;
pub mod tls_key_owner;
pub mod update_alone;
pub mod userland_proxy;
pub mod userns;

use serde_json::Value;

use crate::host::check::{HostViolation, SubjectKind};
use crate::host::facts::{Container, HostFacts, ImageFacts};

pub const CIS_DOCKER: &str = "https://www.cisecurity.org/benchmark/docker";
pub const DOCKERD_DOC: &str = "https://docs.docker.com/reference/cli/dockerd/";
pub const RUN_DOC: &str = "https://docs.docker.com/reference/cli/docker/container/run/";

/// Runs `f` on every running container; `Some(message)` is a violation at `pointer`.
pub fn per_container(
    facts: &HostFacts,
    out: &mut Vec<HostViolation>,
    pointer: &str,
    f: impl Fn(&Container<'_>) -> Option<String>,
) {
    for c in &facts.containers {
        let c = Container::of(c);
        if let Some(message) = f(&c) {
            out.push(HostViolation::new(
                SubjectKind::Container,
                c.name(),
                message,
                (c.location(), 1),
                pointer,
            ));
        }
    }
}

/// A violation of a daemon option (`flag` on the command line, `key` in daemon.json).
pub fn daemon_violation(
    facts: &HostFacts,
    flag: &str,
    key: &str,
    message: impl Into<String>,
) -> HostViolation {
    HostViolation::new(
        SubjectKind::DockerDaemon,
        "dockerd",
        message,
        facts.daemon_location(flag, key),
        key,
    )
}

/// The unit file directories systemd reads, in the order the benchmark's audit looks.
pub const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
];

/// Paths of `name` under the unit directories that were found.
pub fn unit_files(facts: &HostFacts, name: &str) -> Vec<String> {
    UNIT_DIRS
        .iter()
        .map(|d| format!("{d}/{name}"))
        .filter(|p| facts.files.contains_key(p))
        .collect()
}

/// Expected owner of a file: user root and this group (`None`: group root).
#[derive(Clone, Copy)]
pub struct Owner {
    pub group: Option<&'static str>,
}

pub const ROOT_ROOT: Owner = Owner { group: None };

/// Ownership violations of these files.
pub fn check_owner(
    facts: &HostFacts,
    paths: &[String],
    owner: Owner,
    out: &mut Vec<HostViolation>,
) {
    for p in paths {
        let Some(f) = facts.files.get(p) else {
            continue;
        };
        let group_ok = match owner.group {
            None => f.gid == 0,
            Some(name) => facts.group_name(f.gid) == Some(name) || f.gid == 0,
        };
        if f.uid != 0 || !group_ok {
            let want = owner.group.unwrap_or("root");
            let group = facts
                .group_name(f.gid)
                .map_or_else(|| f.gid.to_string(), str::to_owned);
            out.push(HostViolation::new(
                SubjectKind::File,
                p.clone(),
                format!(
                    "{p} is owned by {}:{group}, not root:{want}",
                    if f.uid == 0 {
                        "root".to_owned()
                    } else {
                        f.uid.to_string()
                    },
                ),
                (p.clone(), 1),
                "owner",
            ));
        }
    }
}

/// Mode violations: any permission bit outside `max` (e.g. `0o644`).
pub fn check_mode(facts: &HostFacts, paths: &[String], max: u32, out: &mut Vec<HostViolation>) {
    for p in paths {
        let Some(f) = facts.files.get(p) else {
            continue;
        };
        if f.mode & !max != 0 {
            out.push(HostViolation::new(
                SubjectKind::File,
                p.clone(),
                format!("{p} has mode {:04o}, wider than {max:04o}", f.mode),
                (p.clone(), 1),
                "mode",
            ));
        }
    }
}

/// Files below a directory that were collected (e.g. `/etc/docker/certs.d`).
pub fn files_under(facts: &HostFacts, dir: &str) -> Vec<String> {
    let prefix = format!("{dir}/");
    facts
        .files
        .iter()
        .filter(|(p, f)| p.starts_with(&prefix) && !f.is_dir)
        .map(|(p, _)| p.clone())
        .collect()
}

/// The TLS file a daemon option names (`tlscacert`, `tlscert`, `tlskey`), when set.
pub fn tls_file(facts: &HostFacts, key: &str) -> Vec<String> {
    facts.daemon_str(key, key).into_iter().collect()
}

/// The Docker socket's paths (the API's `/var/run` and its `/run` twin).
pub fn docker_sockets(facts: &HostFacts) -> Vec<String> {
    let mut out: Vec<String> = ["/var/run/docker.sock", "/run/docker.sock"]
        .iter()
        .map(|s| s.to_string())
        .filter(|p| facts.files.contains_key(p))
        .collect();
    out.truncate(1);
    out
}

/// Every process in every image's history line, for the image checks.
pub fn created_by(h: &Value) -> &str {
    h.get("CreatedBy").and_then(Value::as_str).unwrap_or("")
}

/// These paths, when they were collected.
pub fn existing(facts: &HostFacts, paths: &[&str]) -> Vec<String> {
    paths
        .iter()
        .filter(|p| facts.files.contains_key(**p))
        .map(|p| p.to_string())
        .collect()
}

/// A violation of an image.
pub fn image_violation(
    image: &ImageFacts,
    message: impl Into<String>,
    pointer: impl Into<String>,
) -> HostViolation {
    let name = image_name(image);
    HostViolation::new(
        SubjectKind::Image,
        name.clone(),
        message,
        (format!("image/{name}"), 1),
        pointer,
    )
}

/// The image's first tag, else its short id.
pub fn image_name(image: &ImageFacts) -> String {
    image
        .inspect
        .pointer("/RepoTags/0")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let id = image
                .inspect
                .get("Id")
                .and_then(Value::as_str)
                .unwrap_or("");
            id.trim_start_matches("sha256:").chars().take(12).collect()
        })
}

/// A history step shortened for a message.
pub fn short(step: &str) -> String {
    let step = step.trim();
    match step.char_indices().nth(80) {
        Some((at, _)) => format!("{}...", &step[..at]),
        None => step.to_owned(),
    }
}

/// Whether a variable name looks like it holds a secret.
pub fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "API_KEY",
        "APIKEY",
    ]
    .iter()
    .any(|s| n.contains(s))
        && !n.ends_with("_FILE")
        && !n.ends_with("_PATH")
}

/// The host directories the benchmark calls sensitive (5.6), and everything below them.
pub fn sensitive(source: &str) -> bool {
    const DIRS: &[&str] = &["/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr"];
    source == "/"
        || DIRS.iter().any(|d| {
            source == *d
                || source
                    .strip_prefix(d)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
}

/// Audit violations: each of these paths that exists on the host and no audit rule watches.
pub fn check_audit(facts: &HostFacts, paths: &[String], out: &mut Vec<HostViolation>) {
    for p in paths {
        if facts.files.contains_key(p) && !facts.audited(p) {
            out.push(HostViolation::new(
                SubjectKind::File,
                p.clone(),
                format!("no audit rule watches {p}"),
                (
                    if facts.audit_rules.is_some() {
                        "/etc/audit/rules.d".to_owned()
                    } else {
                        "/etc/audit/audit.rules".to_owned()
                    },
                    1,
                ),
                "audit",
            ));
        }
    }
}
