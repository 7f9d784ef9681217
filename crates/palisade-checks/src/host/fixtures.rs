//! Fixture hosts for the tests: one with every problem the Docker checks know, one hardened.
//! Every check must fire on the first and stay silent on the second.

use std::collections::BTreeMap;

use serde_json::json;

use super::facts::{
    ContainerFacts, DaemonConfig, DockerdProcess, FileFacts, HostFacts, ImageFacts, Kubelet,
    StaticPod, YamlFile,
};

/// The node side of a fixture tree under `fixtures/host/<name>/`.
macro_rules! node {
    ($name:literal, $cmdline:expr) => {{
        let manifest = |file: &str, text: &str| {
            StaticPod::from_file(
                YamlFile::parse(&format!("/etc/kubernetes/manifests/{file}"), text).unwrap(),
            )
            .unwrap()
        };
        let kubelet = Kubelet {
            config: Some(
                YamlFile::parse(
                    "/var/lib/kubelet/config.yaml",
                    include_str!(concat!(
                        "../../fixtures/host/",
                        $name,
                        "/var/lib/kubelet/config.yaml"
                    )),
                )
                .unwrap(),
            ),
            process: $cmdline.map(|c: &[u8]| DockerdProcess::from_cmdline(4242, c)),
        };
        let pods = vec![
            manifest(
                "kube-apiserver.yaml",
                include_str!(concat!(
                    "../../fixtures/host/",
                    $name,
                    "/etc/kubernetes/manifests/kube-apiserver.yaml"
                )),
            ),
            manifest(
                "kube-controller-manager.yaml",
                include_str!(concat!(
                    "../../fixtures/host/",
                    $name,
                    "/etc/kubernetes/manifests/kube-controller-manager.yaml"
                )),
            ),
            manifest(
                "kube-scheduler.yaml",
                include_str!(concat!(
                    "../../fixtures/host/",
                    $name,
                    "/etc/kubernetes/manifests/kube-scheduler.yaml"
                )),
            ),
            manifest(
                "etcd.yaml",
                include_str!(concat!(
                    "../../fixtures/host/",
                    $name,
                    "/etc/kubernetes/manifests/etcd.yaml"
                )),
            ),
        ];
        (Some(kubelet), pods)
    }};
}

fn file(uid: u32, gid: u32, mode: u32, is_dir: bool) -> FileFacts {
    FileFacts {
        uid,
        gid,
        mode,
        is_dir,
    }
}

const FILES: &[(&str, u32, bool)] = &[
    ("/lib/systemd/system/docker.service", 0o644, false),
    ("/lib/systemd/system/docker.socket", 0o644, false),
    ("/etc/docker", 0o755, true),
    (
        "/etc/docker/certs.d/registry.example.com/ca.crt",
        0o444,
        false,
    ),
    ("/etc/docker/ca.pem", 0o444, false),
    ("/etc/docker/cert.pem", 0o444, false),
    ("/etc/docker/key.pem", 0o400, false),
    ("/var/run/docker.sock", 0o660, false),
    ("/etc/docker/daemon.json", 0o644, false),
    ("/etc/default/docker", 0o644, false),
    ("/etc/sysconfig/docker", 0o644, false),
    ("/run/containerd/containerd.sock", 0o660, false),
    ("/usr/bin/dockerd", 0o755, false),
    ("/run/containerd", 0o711, true),
    ("/var/lib/docker", 0o710, true),
    ("/etc/containerd/config.toml", 0o644, false),
    ("/usr/bin/containerd", 0o755, false),
    ("/usr/bin/containerd-shim", 0o755, false),
    ("/usr/bin/containerd-shim-runc-v1", 0o755, false),
    ("/usr/bin/containerd-shim-runc-v2", 0o755, false),
    ("/usr/bin/runc", 0o755, false),
];

pub fn risky() -> HostFacts {
    let config = r#"{
  "icc": true,
  "log-level": "debug",
  "iptables": false,
  "insecure-registries": ["registry.local:5000"],
  "storage-driver": "aufs",
  "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"],
  "tlscacert": "/etc/docker/ca.pem",
  "tlscert": "/etc/docker/cert.pem",
  "tlskey": "/etc/docker/key.pem",
  "cgroup-parent": "/batch",
  "storage-opts": ["dm.basesize=50G"],
  "seccomp-profile": "unconfined",
  "experimental": true
}"#;
    let mut files = BTreeMap::new();
    for (path, _, is_dir) in FILES {
        files.insert(path.to_string(), file(1000, 1000, 0o777, *is_dir));
    }
    let risky = json!({
        "Id": "a".repeat(64), "Name": "/risky",
        "AppArmorProfile": "unconfined",
        "HostConfig": {
            "Privileged": true, "CapAdd": ["SYS_ADMIN"], "NetworkMode": "host", "PidMode": "host",
            "IpcMode": "host", "UTSMode": "host", "UsernsMode": "host", "Memory": 0, "CpuShares": 0,
            "ReadonlyRootfs": false, "RestartPolicy": {"Name": "always", "MaximumRetryCount": 0},
            "Devices": [{"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda", "CgroupPermissions": "rwm"}],
            "SecurityOpt": ["seccomp=unconfined", "label=disable", "apparmor=unconfined"],
            "CgroupParent": "/custom", "PidsLimit": null
        },
        "Mounts": [
            {"Type": "bind", "Source": "/etc", "Destination": "/host-etc", "RW": true, "Propagation": "rshared"},
            {"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/var/run/docker.sock", "RW": true, "Propagation": "rprivate"}
        ],
        "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "80"}]}},
        "State": {"Status": "running"}
    });
    let bridged = json!({
        "Id": "b".repeat(64), "Name": "/bridged",
        "HostConfig": {"NetworkMode": "default", "Memory": 0},
        "State": {"Status": "running"}
    });
    let (kubelet, static_pods) = node!(
        "risky",
        Some(&b"kubelet\0--config=/var/lib/kubelet/config.yaml\0--hostname-override=node-x\0"[..])
    );
    HostFacts {
        daemon_config: Some(DaemonConfig::parse("/etc/docker/daemon.json", config).unwrap()),
        dockerd: Some(DockerdProcess::from_cmdline(
            42,
            b"/usr/bin/dockerd\0--log-driver\0json-file\0",
        )),
        docker_info: Some(json!({
            "Swarm": {"LocalNodeState": "active"},
            "SecurityOptions": ["name=apparmor", "name=selinux", "name=seccomp,profile=default"],
            "LoggingDriver": "json-file",
            "LiveRestoreEnabled": false,
            "ExperimentalBuild": true,
            "Driver": "aufs",
            "Plugins": {"Authorization": null}
        })),
        containers: vec![
            ContainerFacts {
                inspect: risky,
                processes: vec!["/usr/sbin/sshd -D".into()],
            },
            ContainerFacts {
                inspect: bridged,
                processes: vec!["nginx: master process".into()],
            },
        ],
        images: vec![ImageFacts {
            inspect: json!({"Id": "sha256:".to_owned() + &"c".repeat(64), "RepoTags": ["risky:1"],
                "Config": {"User": "", "Env": ["PATH=/usr/bin", "DB_PASSWORD=hunter2"]}}),
            history: vec![
                json!({"CreatedBy": "/bin/sh -c export API_TOKEN=abc123 && ./deploy"}),
                json!({"CreatedBy": "/bin/sh -c apt-get update"}),
                json!({"CreatedBy": "/bin/sh -c #(nop) ADD https://example.com/app.tgz /app"}),
                json!({"CreatedBy": "/bin/sh -c #(nop) ADD file:0123abcd in / "}),
            ],
        }],
        files,
        groups: BTreeMap::from([(0, "root".into()), (999, "docker".into())]),
        content_trust: None,
        audit_rules: Some("-w /usr/bin/dockerd-old -p wa\n# -w /etc/docker -k docker\n".into()),
        mount_points: vec!["/".into(), "/proc".into()],
        kubelet,
        static_pods,
    }
}

pub fn hardened() -> HostFacts {
    let config = r#"{
  "icc": false,
  "log-level": "info",
  "userns-remap": "default",
  "authorization-plugins": ["authz-broker"],
  "log-driver": "syslog",
  "no-new-privileges": true,
  "live-restore": true,
  "userland-proxy": false,
  "hosts": ["unix:///var/run/docker.sock", "tcp://10.0.0.5:2376"],
  "tlsverify": true,
  "tlscacert": "/etc/docker/ca.pem",
  "tlscert": "/etc/docker/cert.pem",
  "tlskey": "/etc/docker/key.pem"
}"#;
    let mut files = BTreeMap::new();
    for (path, mode, is_dir) in FILES {
        let gid = if path.ends_with("docker.sock") {
            999
        } else {
            0
        };
        files.insert(path.to_string(), file(0, gid, *mode, *is_dir));
    }
    let hardened = json!({
        "Id": "d".repeat(64), "Name": "/hardened",
        "AppArmorProfile": "docker-default",
        "HostConfig": {
            "Privileged": false, "CapAdd": null, "CapDrop": ["ALL"], "NetworkMode": "app-net",
            "PidMode": "", "IpcMode": "private", "UTSMode": "", "UsernsMode": "", "Memory": 536870912,
            "CpuShares": 512, "ReadonlyRootfs": true,
            "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 5},
            "Devices": [], "SecurityOpt": ["no-new-privileges"], "CgroupParent": "", "PidsLimit": 100
        },
        "Mounts": [{"Type": "volume", "Source": "/var/lib/docker/volumes/data/_data", "Destination": "/data", "RW": true, "Propagation": ""}],
        "NetworkSettings": {"Ports": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}], "9090/tcp": null}},
        "State": {"Status": "running", "Health": {"Status": "healthy"}}
    });
    let (kubelet, static_pods) = node!("hardened", None::<&[u8]>);
    HostFacts {
        daemon_config: Some(DaemonConfig::parse("/etc/docker/daemon.json", config).unwrap()),
        dockerd: Some(DockerdProcess::from_cmdline(
            42,
            b"/usr/bin/dockerd\0--containerd=/run/containerd/containerd.sock\0",
        )),
        docker_info: Some(json!({
            "Swarm": {"LocalNodeState": "inactive"},
            "SecurityOptions": ["name=apparmor", "name=seccomp,profile=builtin", "name=userns"],
            "LoggingDriver": "syslog",
            "LiveRestoreEnabled": true,
            "ExperimentalBuild": false,
            "Driver": "overlay2",
            "Plugins": {"Authorization": ["authz-broker"]},
            "RegistryConfig": {"IndexConfigs": {"docker.io": {"Secure": true}}}
        })),
        containers: vec![ContainerFacts {
            inspect: hardened,
            processes: vec!["/app/server --port 8080".into()],
        }],
        images: vec![ImageFacts {
            inspect: json!({"Id": "sha256:".to_owned() + &"e".repeat(64), "RepoTags": ["hardened:1"],
                "Config": {"User": "10001", "Env": ["PATH=/usr/bin", "DB_PASSWORD_FILE=/run/secrets/db"],
                    "Healthcheck": {"Test": ["CMD", "/app/healthcheck"]}}}),
            history: vec![
                json!({"CreatedBy": "/bin/sh -c #(nop) COPY dir:abc in /app"}),
                json!({"CreatedBy": "/bin/sh -c apt-get update && apt-get install -y ca-certificates"}),
                json!({"CreatedBy": "/bin/sh -c #(nop) ADD file:0123abcd in / "}),
            ],
        }],
        files,
        groups: BTreeMap::from([(0, "root".into()), (999, "docker".into())]),
        content_trust: Some("1".into()),
        audit_rules: Some(
            FILES
                .iter()
                .map(|(p, _, _)| format!("-w {p} -p rwxa -k docker\n"))
                .collect::<String>()
                .replace(
                    "-w /etc/docker/daemon.json -p rwxa",
                    "-a always,exit -F path=/etc/docker/daemon.json -F perm=wa",
                ),
        ),
        mount_points: vec!["/".into(), "/var/lib/docker".into()],
        kubelet,
        static_pods,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{evaluate, YamlFile, HOST_CHECKS};
    use std::collections::BTreeSet;

    #[test]
    fn every_docker_check_fires_on_the_risky_host_and_none_on_the_hardened_one() {
        let risky = evaluate(&risky(), HOST_CHECKS);
        let fired: BTreeSet<&str> = risky.findings.iter().map(|f| f.check_id).collect();
        let silent: Vec<&str> = HOST_CHECKS
            .iter()
            .map(|c| c.meta().id)
            .filter(|id| !fired.contains(id))
            .collect();
        assert!(
            silent.is_empty(),
            "did not fire on the risky host: {silent:?}"
        );
        let hardened = evaluate(&hardened(), HOST_CHECKS);
        let wrong: Vec<String> = hardened
            .findings
            .iter()
            .map(|f| format!("{} {} {}", f.check_id, f.object.name, f.message))
            .collect();
        assert!(wrong.is_empty(), "fired on the hardened host: {wrong:#?}");
    }

    #[test]
    fn findings_point_at_the_evidence() {
        let eval = evaluate(&risky(), HOST_CHECKS);
        let icc = eval
            .findings
            .iter()
            .find(|f| f.check_id == "PAL-DKR-001")
            .unwrap();
        assert_eq!(&*icc.location.file, "/etc/docker/daemon.json");
        assert_eq!(icc.location.line, 2, "the line of \"icc\"");
        let log = eval
            .findings
            .iter()
            .find(|f| f.check_id == "PAL-DKR-011")
            .unwrap();
        assert_eq!(&*log.location.file, "/proc/42/cmdline", "the flag wins");
        let privileged = eval
            .findings
            .iter()
            .find(|f| f.check_id == "PAL-DKR-305")
            .unwrap();
        assert_eq!(privileged.object.kind, "Container");
        assert_eq!(privileged.object.name, "risky");
        assert_eq!(&*privileged.location.file, "container/risky");
        // The base image's own `ADD file:... in /` is not an ADD finding; the URL one is.
        let adds: Vec<&str> = eval
            .findings
            .iter()
            .filter(|f| f.check_id == "PAL-DKR-205")
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(adds.len(), 1, "{adds:?}");
        // Only the bridged container is on the default bridge; both have no memory limit.
        let on = |id: &str| -> Vec<String> {
            eval.findings
                .iter()
                .filter(|f| f.check_id == id)
                .map(|f| f.object.name.clone())
                .collect()
        };
        assert_eq!(on("PAL-DKR-325"), ["bridged"]);
        assert_eq!(on("PAL-DKR-310"), ["bridged", "risky"]);
    }

    #[test]
    fn node_findings_point_at_the_manifest_line_or_config_field() {
        let eval = evaluate(&risky(), HOST_CHECKS);
        let find = |id: &str| eval.findings.iter().find(|f| f.check_id == id).unwrap();
        let anon = find("PAL-KNODE-001");
        assert_eq!(&*anon.location.file, "/var/lib/kubelet/config.yaml");
        assert_eq!(anon.location.line, 5, "authentication.anonymous.enabled");
        let host = find("PAL-KNODE-007");
        assert_eq!(&*host.location.file, "/proc/4242/cmdline", "a flag");
        let token = find("PAL-KNODE-102");
        assert_eq!(
            &*token.location.file,
            "/etc/kubernetes/manifests/kube-apiserver.yaml"
        );
        assert_eq!(token.location.line, 14, "the --token-auth-file line");
        assert_eq!(token.object.kind, "StaticPod");
        assert_eq!(token.object.name, "kube-apiserver");
        // Defaults: a kubelet without a config file has the flags' defaults.
        let mut flags_only = risky();
        flags_only.kubelet.as_mut().unwrap().config = None;
        let ids: BTreeSet<&str> = evaluate(&flags_only, HOST_CHECKS)
            .findings
            .iter()
            .map(|f| f.check_id)
            .collect();
        for id in ["PAL-KNODE-001", "PAL-KNODE-002", "PAL-KNODE-004"] {
            assert!(ids.contains(id), "{id} by default without a config file");
        }
        assert!(YamlFile::parse("k", "a: [").is_err());
        assert!(YamlFile::parse("k", "- 1\n").is_err());
    }

    /// Every prefix of the fuzz seeds through the parsers and every check (what the
    /// `host_daemon_config` fuzz target does, here run in every test pass): errors, no panics.
    #[test]
    fn truncated_inputs_are_errors_not_panics() {
        let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/seeds/host_daemon_config");
        let mut n = 0;
        for entry in std::fs::read_dir(seeds).unwrap() {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            for end in 0..=data.len() {
                let data = &data[..end];
                let text = String::from_utf8_lossy(data);
                let yaml = YamlFile::parse("k", &text).ok();
                let mut facts = HostFacts {
                    daemon_config: DaemonConfig::parse("d", &text).ok(),
                    dockerd: Some(DockerdProcess::from_cmdline(1, data)),
                    static_pods: yaml
                        .clone()
                        .and_then(StaticPod::from_file)
                        .into_iter()
                        .collect(),
                    kubelet: Some(Kubelet {
                        config: yaml,
                        process: Some(DockerdProcess::from_cmdline(2, data)),
                    }),
                    ..HostFacts::default()
                };
                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
                    facts.docker_info = Some(v.clone());
                    facts.containers.push(ContainerFacts {
                        inspect: v,
                        processes: vec![text.to_string()],
                    });
                }
                let _ = evaluate(&facts, HOST_CHECKS);
                n += 1;
            }
        }
        assert!(n > 1000, "{n} inputs");
    }

    #[test]
    fn daemon_options_resolve_like_dockerd() {
        let p = DockerdProcess::from_cmdline(1, b"dockerd\0-H\0tcp://0.0.0.0:2375\0--host=unix:///run/d.sock\0--icc=false\0--live-restore\0--log-level\0warn\0");
        assert_eq!(
            p.values("host"),
            ["tcp://0.0.0.0:2375", "unix:///run/d.sock"]
        );
        assert_eq!(p.boolean("icc"), Some(false));
        assert_eq!(p.boolean("live-restore"), Some(true));
        assert_eq!(p.boolean("experimental"), None);
        assert_eq!(p.values("log-level"), ["warn"]);
        assert!(DaemonConfig::parse("d", "[1]").is_err());
        assert!(DaemonConfig::parse("d", "{\"icc\": ").is_err());
        assert!(
            DaemonConfig::parse("d", &" ".repeat(super::super::facts::MAX_DAEMON_JSON + 1))
                .is_err()
        );
        let deep = "[".repeat(100_000);
        assert!(
            DaemonConfig::parse("d", &deep).is_err(),
            "depth is bounded, not a stack overflow"
        );
    }
}
