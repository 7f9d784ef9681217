//! Container attribution: which container (if any) a process belongs to, from its cgroup.
//!
//! Input is either a `/proc/<pid>/cgroup` file (cgroup v1: `id:controllers:path` per
//! hierarchy; v2: one `0::path` line) or the cgroup names the kernel side reads (leaf first).
//! Recognised layouts, cgroup v1 and v2 alike:
//!
//! | runtime | cgroup path (leaf) |
//! |---|---|
//! | Docker, cgroupfs driver | `/docker/<id>` |
//! | Docker, systemd driver | `/system.slice/docker-<id>.scope` |
//! | containerd / CRI (cgroupfs) | `/kubepods/<qos>/pod<uid>/<id>` |
//! | containerd / CRI (systemd) | `/kubepods.slice/.../cri-containerd-<id>.scope` |
//! | CRI-O | `.../crio-<id>.scope` (and `crio-conmon-<id>.scope` for its monitor) |
//! | Podman | `/machine.slice/libpod-<id>.scope[/container]` |
//!
//! An id is 64 lowercase hex digits. Anything else is the host.

use serde::Serialize;

/// The container runtime an id came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    Docker,
    Containerd,
    Crio,
    Podman,
    /// A Kubernetes pod cgroup whose runtime is not named in the path (cgroupfs driver).
    Kubernetes,
}

/// Where a process runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Attribution {
    Host,
    Container { id: String, runtime: Runtime },
}

impl Attribution {
    pub fn container_id(&self) -> Option<&str> {
        match self {
            Attribution::Host => None,
            Attribution::Container { id, .. } => Some(id),
        }
    }
}

fn is_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The container id in one cgroup path component, with the runtime it names.
fn component(name: &str, parent: Option<&str>) -> Option<(String, Runtime)> {
    let scoped = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(".scope"))
            .filter(|id| is_id(id))
            .map(str::to_string)
    };
    if let Some(id) = scoped("docker-") {
        return Some((id, Runtime::Docker));
    }
    if let Some(id) = scoped("cri-containerd-") {
        return Some((id, Runtime::Containerd));
    }
    if name.starts_with("crio-conmon-") {
        return None;
    }
    if let Some(id) = scoped("crio-") {
        return Some((id, Runtime::Crio));
    }
    if let Some(id) = scoped("libpod-") {
        return Some((id, Runtime::Podman));
    }
    if is_id(name) {
        let runtime = match parent {
            Some("docker") => Runtime::Docker,
            Some(p) if p.starts_with("pod") => Runtime::Kubernetes,
            _ => Runtime::Docker,
        };
        return Some((name.to_string(), runtime));
    }
    None
}

/// Attribution from one cgroup path (`/docker/<id>`, `/kubepods.slice/.../x.scope`). The
/// deepest component naming a container wins (Podman nests a `container` cgroup below its
/// scope; Docker-in-Docker nests a container's cgroup below another's).
pub fn from_path(path: &str) -> Attribution {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    for i in (0..parts.len()).rev() {
        let parent = i.checked_sub(1).map(|j| parts[j]);
        if let Some((id, runtime)) = component(parts[i], parent) {
            return Attribution::Container { id, runtime };
        }
    }
    Attribution::Host
}

/// Attribution from the kernel side's cgroup names: leaf first, then its ancestors (the
/// same answer as [`from_path`] on the joined path, without building it).
pub fn from_names(names: &[&str]) -> Attribution {
    let names: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !n.is_empty() && *n != "/")
        .collect();
    for (i, name) in names.iter().enumerate() {
        if let Some((id, runtime)) = component(name, names.get(i + 1).copied()) {
            return Attribution::Container { id, runtime };
        }
    }
    Attribution::Host
}

/// Attribution from the text of `/proc/<pid>/cgroup`. On cgroup v1 the memory, pids or cpu
/// hierarchy is preferred (every runtime places containers in them), then the unified line,
/// then any other line naming a container.
pub fn from_proc_cgroup(text: &str) -> Attribution {
    best_line(text).map_or(Attribution::Host, |(_, a)| a)
}

/// The cgroup path [`from_proc_cgroup`] decides on, with its attribution.
fn best_line(text: &str) -> Option<(&str, Attribution)> {
    let mut fallback = None;
    let mut best: Option<(u8, &str, Attribution)> = None;
    for line in text.lines().take(64) {
        let mut it = line.splitn(3, ':');
        let (Some(_id), Some(controllers), Some(path)) = (it.next(), it.next(), it.next()) else {
            continue;
        };
        let a = from_path(path);
        if a == Attribution::Host {
            continue;
        }
        let rank = if controllers
            .split(',')
            .any(|c| matches!(c, "memory" | "pids" | "cpu"))
        {
            0
        } else if controllers.is_empty() {
            1
        } else {
            2
        };
        if best.as_ref().is_none_or(|(r, _, _)| rank < *r) {
            best = Some((rank, path, a.clone()));
        }
        fallback = Some((path, a));
    }
    best.map(|(_, p, a)| (p, a)).or(fallback)
}

/// The cgroup names of a `/proc/<pid>/cgroup` text, leaf first, three at most (the shape the
/// kernel side sends): the path that names a container, else the unified (v2) or memory path.
pub fn names_from_proc_cgroup(text: &str) -> Vec<String> {
    let path = best_line(text).map(|(p, _)| p).or_else(|| {
        text.lines().take(64).find_map(|l| {
            let mut it = l.splitn(3, ':');
            let (_, c, p) = (it.next()?, it.next()?, it.next()?);
            (c.is_empty() || c.split(',').any(|c| c == "memory")).then_some(p)
        })
    });
    let mut names: Vec<String> = path
        .unwrap_or("/")
        .rsplit('/')
        .filter(|p| !p.is_empty())
        .take(3)
        .map(str::to_string)
        .collect();
    if names.is_empty() {
        names.push("/".into());
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829";

    fn c(runtime: Runtime) -> Attribution {
        Attribution::Container {
            id: ID.into(),
            runtime,
        }
    }

    #[test]
    fn docker_cgroupfs_v1() {
        let text = format!(
            "12:pids:/docker/{ID}\n11:memory:/docker/{ID}\n4:cpu,cpuacct:/docker/{ID}\n1:name=systemd:/docker/{ID}\n0::/\n"
        );
        assert_eq!(from_proc_cgroup(&text), c(Runtime::Docker));
    }

    #[test]
    fn docker_systemd_v2() {
        let text = format!("0::/system.slice/docker-{ID}.scope\n");
        assert_eq!(from_proc_cgroup(&text), c(Runtime::Docker));
    }

    #[test]
    fn containerd_cri_systemd() {
        let p = format!(
            "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice/cri-containerd-{ID}.scope"
        );
        assert_eq!(from_path(&p), c(Runtime::Containerd));
        assert_eq!(from_proc_cgroup(&format!("0::{p}")), c(Runtime::Containerd));
    }

    #[test]
    fn kubepods_cgroupfs_v1() {
        let text =
            format!("9:memory:/kubepods/burstable/pod0a1b2c3d-4e5f-6789-abcd-ef0123456789/{ID}\n");
        assert_eq!(from_proc_cgroup(&text), c(Runtime::Kubernetes));
    }

    #[test]
    fn crio_and_its_monitor() {
        let p = format!("/kubepods.slice/kubepods-pod1.slice/crio-{ID}.scope");
        assert_eq!(from_path(&p), c(Runtime::Crio));
        let conmon = format!("/kubepods.slice/kubepods-pod1.slice/crio-conmon-{ID}.scope");
        assert_eq!(from_path(&conmon), Attribution::Host);
    }

    #[test]
    fn podman_scope_and_nested_container_cgroup() {
        assert_eq!(
            from_path(&format!("/machine.slice/libpod-{ID}.scope")),
            c(Runtime::Podman)
        );
        assert_eq!(
            from_path(&format!("/machine.slice/libpod-{ID}.scope/container")),
            c(Runtime::Podman)
        );
        assert_eq!(
            from_proc_cgroup(&format!(
                "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{ID}.scope/container\n"
            )),
            c(Runtime::Podman)
        );
    }

    #[test]
    fn host_processes() {
        for text in [
            "0::/init.scope\n",
            "0::/system.slice/sshd.service\n",
            "12:pids:/user.slice/user-0.slice/session-3.scope\n11:memory:/user.slice\n0::/\n",
            "0::/\n",
            "",
            "garbage without colons\n",
            "0::/system.slice/docker.service\n",
        ] {
            assert_eq!(from_proc_cgroup(text), Attribution::Host, "{text:?}");
        }
    }

    #[test]
    fn near_miss_ids_are_not_containers() {
        let short = &ID[..63];
        let upper = ID.to_uppercase();
        for p in [
            format!("/docker/{short}"),
            format!("/docker/{upper}"),
            format!("/system.slice/docker-{ID}.service"),
            format!("/system.slice/docker-{ID}"),
        ] {
            assert_eq!(from_path(&p), Attribution::Host, "{p}");
        }
    }

    #[test]
    fn kernel_names_leaf_first() {
        assert_eq!(from_names(&[ID, "docker", "/"]), c(Runtime::Docker));
        assert_eq!(
            from_names(&["container", &format!("libpod-{ID}.scope"), "machine.slice"]),
            c(Runtime::Podman)
        );
        assert_eq!(from_names(&["/", "", ""]), Attribution::Host);
        assert_eq!(
            from_names(&["session-1.scope", "user-0.slice", "user.slice"]),
            Attribution::Host
        );
    }

    #[test]
    fn names_for_the_netlink_collector() {
        let v1 = format!("3:blkio:/\n11:memory:/docker/{ID}\n0::/\n");
        assert_eq!(
            names_from_proc_cgroup(&v1),
            vec![ID.to_string(), "docker".into()]
        );
        let names = names_from_proc_cgroup(&format!(
            "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-{ID}.scope\n"
        ));
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(from_names(&refs), c(Runtime::Containerd));
        assert_eq!(names_from_proc_cgroup("0::/\n"), vec!["/".to_string()]);
        assert_eq!(
            names_from_proc_cgroup("0::/user.slice/user-0.slice/session-3.scope\n"),
            vec!["session-3.scope", "user-0.slice", "user.slice"]
        );
    }

    #[test]
    fn v1_prefers_memory_hierarchy() {
        // A process moved in one hierarchy only: memory decides.
        let other = "a".repeat(64);
        let text = format!("3:blkio:/docker/{other}\n11:memory:/docker/{ID}\n");
        assert_eq!(from_proc_cgroup(&text), c(Runtime::Docker));
    }
}
