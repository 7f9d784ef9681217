//! The host paths that hand a container its node: one list, shared by the posture checks
//! (`PAL-K8S-036`, `PAL-K8S-0xx` persistent volumes) and the audit rules
//! (`ka.req.pod.volumes.sensitive_hostpath`), so the two cannot drift apart.

/// Directories (and sockets) of the node that hold its credentials (kubelet and cluster PKI,
/// SSH keys, every pod's secrets), its configuration, kernel interfaces, or control the
/// container runtime. A path matches when it is one of these or lies below one of them;
/// `/` and any `*.sock` match too.
pub const SENSITIVE_HOST_PATHS: &[&str] = &[
    "/etc",
    "/proc",
    "/sys",
    "/root",
    "/home",
    "/boot",
    "/dev",
    "/var/lib/kubelet",
    "/var/lib/etcd",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/log",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
    "/var/run",
    "/run",
];

/// `/a/b/../c/` → `/a/c`; `//etc/./` → `/etc`; `..` never climbs above `/`.
pub fn normalize_host_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whether a host path (as written in a manifest: any trailing slash, `.` or `..`) is, or
/// lies below, a sensitive host path.
pub fn is_sensitive_host_path(path: &str) -> bool {
    let p = normalize_host_path(path);
    p == "/"
        || p.ends_with(".sock")
        || SENSITIVE_HOST_PATHS.iter().any(|s| {
            p.strip_prefix(s)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_matches_by_prefix() {
        for p in [
            "/",
            "//",
            "/etc/",
            "/etc/kubernetes/manifests",
            "/root/.ssh",
            "/var/lib/kubelet/pki/",
            "/opt/../proc",
            "/run/containerd/containerd.sock",
            "/data/../../etc",
        ] {
            assert!(is_sensitive_host_path(p), "{p}");
        }
        for p in [
            "/data",
            "/etcd-backup",
            "/var/lib/app",
            "/opt/etc",
            "/srv/run",
        ] {
            assert!(!is_sensitive_host_path(p), "{p}");
        }
        assert_eq!(
            normalize_host_path("/etc/./kubernetes//"),
            "/etc/kubernetes"
        );
    }
}
