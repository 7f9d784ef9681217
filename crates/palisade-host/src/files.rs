//! The file-system side of the collection, all below `CollectOptions::root`.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use palisade_checks::host::facts::MAX_DAEMON_JSON;
use palisade_checks::host::{
    DaemonConfig, DockerdProcess, FileFacts, HostFacts, Kubelet, StaticPod, YamlFile,
};

use crate::{CollectOptions, Collected};

/// Files the benchmark names (host paths).
const FILES: &[&str] = &[
    "/etc/systemd/system/docker.service",
    "/lib/systemd/system/docker.service",
    "/usr/lib/systemd/system/docker.service",
    "/etc/systemd/system/docker.socket",
    "/lib/systemd/system/docker.socket",
    "/usr/lib/systemd/system/docker.socket",
    "/etc/docker",
    "/etc/docker/daemon.json",
    "/etc/default/docker",
    "/etc/sysconfig/docker",
    "/var/run/docker.sock",
    "/run/containerd/containerd.sock",
    // Audited paths (CIS 1.1.3-1.1.18).
    "/usr/bin/dockerd",
    "/run/containerd",
    "/var/lib/docker",
    "/etc/containerd/config.toml",
    "/usr/bin/containerd",
    "/usr/bin/containerd-shim",
    "/usr/bin/containerd-shim-runc-v1",
    "/usr/bin/containerd-shim-runc-v2",
    "/usr/bin/runc",
    // Debian installs the daemon and runtimes in /usr/sbin; dockerd's own containerd.
    "/usr/sbin/dockerd",
    "/usr/sbin/containerd",
    "/usr/sbin/containerd-shim",
    "/usr/sbin/containerd-shim-runc-v1",
    "/usr/sbin/containerd-shim-runc-v2",
    "/usr/sbin/runc",
    "/run/docker/containerd/containerd.sock",
];

/// At most this many certificate files are read below `/etc/docker/certs.d`.
const MAX_CERT_FILES: usize = 10_000;

/// `root` + an absolute host path.
fn under(root: &Path, host_path: &str) -> PathBuf {
    root.join(host_path.trim_start_matches('/'))
}

pub fn collect(options: &CollectOptions, socket: Option<&Path>, out: &mut Collected) {
    let root = &options.root;
    out.facts.dockerd = find_dockerd(root, socket);
    let config_path = options
        .daemon_json
        .clone()
        .or_else(|| {
            out.facts
                .dockerd
                .as_ref()
                .and_then(|p| p.values("config-file").into_iter().next())
        })
        .unwrap_or_else(|| "/etc/docker/daemon.json".to_owned());
    match read_bounded(&under(root, &config_path)) {
        Ok(Some(text)) => match DaemonConfig::parse(&config_path, &text) {
            Ok(config) => out.facts.daemon_config = Some(config),
            Err(e) => out.errors.push(format!("{config_path}: {e}")),
        },
        Ok(None) => {}
        Err(e) => out.errors.push(format!("{config_path}: {e}")),
    }
    let mut paths: Vec<String> = FILES.iter().map(|s| s.to_string()).collect();
    if let Some(socket) = socket.and_then(Path::to_str) {
        paths.push(socket.to_owned());
    }
    for key in ["tlscacert", "tlscert", "tlskey"] {
        paths.extend(out.facts.daemon_str(key, key));
    }
    paths.extend(walk_certs(root));
    for p in paths {
        stat(root, &p, &mut out.facts);
    }
    out.facts.groups = read_groups(root);
    out.facts.audit_rules = read_audit_rules(root);
    out.facts.mount_points = read_mount_points(root);
    collect_node(root, out);
}

/// `/etc/audit/audit.rules` and `/etc/audit/rules.d/*.rules`, concatenated (each file bounded).
fn read_audit_rules(root: &Path) -> Option<String> {
    let mut files = vec![under(root, "/etc/audit/audit.rules")];
    if let Ok(entries) = std::fs::read_dir(under(root, "/etc/audit/rules.d")) {
        let mut more: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "rules"))
            .collect();
        more.sort();
        more.truncate(MAX_MANIFESTS);
        files.extend(more);
    }
    let texts: Vec<String> = files
        .iter()
        .filter_map(|f| read_bounded(f).ok().flatten())
        .collect();
    (!texts.is_empty()).then(|| texts.join("\n"))
}

/// Mount points of the host's mount namespace (`proc/1/mountinfo`, field 5, octal escapes
/// decoded).
fn read_mount_points(root: &Path) -> Vec<String> {
    let Ok(Some(text)) = read_bounded(&root.join("proc/1/mountinfo")) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(|m| {
            m.replace("\\040", " ")
                .replace("\\011", "\t")
                .replace("\\012", "\n")
                .replace("\\134", "\\")
        })
        .collect()
}

/// At most this many static pod manifests are read.
const MAX_MANIFESTS: usize = 200;

/// The kubelet (process and `--config` file) and the static pod manifests.
fn collect_node(root: &Path, out: &mut Collected) {
    let process = processes(root, "kubelet").into_iter().next();
    let config_path = process
        .as_ref()
        .and_then(|p| p.values("config").pop())
        .unwrap_or_else(|| "/var/lib/kubelet/config.yaml".to_owned());
    let config = match read_bounded(&under(root, &config_path)) {
        Ok(Some(text)) => match YamlFile::parse(&config_path, &text) {
            Ok(c) => Some(c),
            Err(e) => {
                out.errors.push(format!("{config_path}: {e}"));
                None
            }
        },
        Ok(None) => None,
        Err(e) => {
            out.errors.push(format!("{config_path}: {e}"));
            None
        }
    };
    let manifests = process
        .as_ref()
        .and_then(|p| p.values("pod-manifest-path").pop())
        .or_else(|| {
            config
                .as_ref()
                .and_then(|c| c.get("/staticPodPath"))
                .and_then(|v| v.as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| "/etc/kubernetes/manifests".to_owned());
    if process.is_some() || config.is_some() {
        out.facts.kubelet = Some(Kubelet { config, process });
    }
    let Ok(entries) = std::fs::read_dir(under(root, &manifests)) else {
        return;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml") || n.ends_with(".json"))
        .collect();
    names.sort();
    names.truncate(MAX_MANIFESTS);
    for name in names {
        let path = format!("{}/{name}", manifests.trim_end_matches('/'));
        match read_bounded(&under(root, &path)) {
            Ok(Some(text)) => match YamlFile::parse(&path, &text) {
                Ok(file) => out.facts.static_pods.extend(StaticPod::from_file(file)),
                Err(e) => out.errors.push(format!("{path}: {e}")),
            },
            Ok(None) => {}
            Err(e) => out.errors.push(format!("{path}: {e}")),
        }
    }
}

/// Records owner and mode of a host path, keyed by its resolved path inside the root (so a
/// file reached through `/lib` → `/usr/lib` is reported once).
fn stat(root: &Path, host_path: &str, facts: &mut HostFacts) {
    let full = under(root, host_path);
    let Ok(meta) = std::fs::metadata(&full) else {
        return;
    };
    let key = std::fs::canonicalize(&full)
        .ok()
        .and_then(|c| {
            let root = std::fs::canonicalize(root).ok()?;
            c.strip_prefix(&root)
                .ok()
                .map(|r| format!("/{}", r.display()))
        })
        .unwrap_or_else(|| host_path.to_owned());
    facts.files.insert(
        key,
        FileFacts {
            uid: meta.uid(),
            gid: meta.gid(),
            mode: meta.mode() & 0o7777,
            is_dir: meta.is_dir(),
        },
    );
}

/// Files below `/etc/docker/certs.d` (two levels: `<registry>/<file>`).
fn walk_certs(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(registries) = std::fs::read_dir(under(root, "/etc/docker/certs.d")) else {
        return out;
    };
    for r in registries.flatten() {
        let Ok(files) = std::fs::read_dir(r.path()) else {
            continue;
        };
        for f in files.flatten() {
            if out.len() >= MAX_CERT_FILES {
                return out;
            }
            out.push(format!(
                "/etc/docker/certs.d/{}/{}",
                r.file_name().to_string_lossy(),
                f.file_name().to_string_lossy()
            ));
        }
    }
    out
}

/// A file's text, `None` when it does not exist; larger than a daemon configuration may be is
/// an error.
fn read_bounded(path: &Path) -> Result<Option<String>, String> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
        Ok(m) if m.len() > MAX_DAEMON_JSON as u64 => {
            return Err(format!("{} bytes is too large", m.len()))
        }
        Ok(_) => {}
    }
    std::fs::read(path)
        .map(|b| Some(String::from_utf8_lossy(&b).into_owned()))
        .map_err(|e| e.to_string())
}

/// Processes under `root/proc` whose `comm` is `name`, by pid.
fn processes(root: &Path, name: &str) -> Vec<DockerdProcess> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(root.join("proc")) else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        if let Ok(raw) = std::fs::read(entry.path().join("cmdline")) {
            found.push(DockerdProcess::from_cmdline(pid, &raw));
        }
    }
    found.sort_by_key(|p| p.pid);
    found
}

/// The dockerd process under `root/proc`: the one serving `socket` when several run.
fn find_dockerd(root: &Path, socket: Option<&Path>) -> Option<DockerdProcess> {
    let mut found = processes(root, "dockerd");
    let socket = socket.map(|s| format!("unix://{}", s.display()));
    let serves = |p: &DockerdProcess| {
        let hosts = p.values("host");
        match &socket {
            Some(s) => {
                hosts.iter().any(|h| h == s)
                    || (hosts.is_empty()
                        && (s == "unix:///var/run/docker.sock" || s == "unix:///run/docker.sock"))
            }
            None => true,
        }
    };
    found
        .iter()
        .position(serves)
        .map(|i| found.swap_remove(i))
        .or_else(|| found.into_iter().next())
}

fn read_groups(root: &Path) -> std::collections::BTreeMap<u32, String> {
    std::fs::read_to_string(under(root, "/etc/group"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let gid = f.nth(1)?.parse().ok()?;
            Some((gid, name.to_owned()))
        })
        .collect()
}
