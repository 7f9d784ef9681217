//! `palisade host scan` against real Docker daemons: the CI daemon with risky and hardened
//! containers, a second daemon started with a deliberately weak configuration and a third with
//! a hardened one, and fixture file trees for the daemon files (owners and modes). Each check
//! must fire exactly where it must.

mod sensor_support;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sensor_support::{docker, ensure_image, Containers, IMAGE};
use serde_json::Value;

const HARDENED_IMAGE: &str = "palisade-test/host-hardened:1";

fn palisade(args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .env_remove("DOCKER_CONTENT_TRUST")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

/// Check ids per object name (`Container/NAME`, `DockerDaemon/dockerd`, `File/PATH`, ...).
fn by_object(report: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let key = format!(
            "{}/{}",
            f["object"]["kind"].as_str().unwrap(),
            f["object"]["name"].as_str().unwrap()
        );
        out.entry(key)
            .or_default()
            .insert(f["check_id"].as_str().unwrap().to_owned());
    }
    out
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn hardened_image() {
    if docker(&["image", "inspect", HARDENED_IMAGE]).0 {
        return;
    }
    let (ok, id) = docker(&["create", "--network", "none", IMAGE, "true"]);
    assert!(ok, "{id}");
    let (ok, msg) = docker(&[
        "commit",
        "--change",
        "USER 10001",
        "--change",
        "HEALTHCHECK --interval=1s CMD [\"/bin/true\"]",
        id.trim(),
        HARDENED_IMAGE,
    ]);
    let _ = docker(&["rm", "-f", id.trim()]);
    assert!(ok, "{msg}");
}

#[test]
fn runtime_checks_fire_on_risky_containers_and_not_on_hardened_ones() {
    ensure_image();
    hardened_image();
    let risky = "pal-host-risky";
    let quiet = "pal-host-none";
    let hardened = "pal-host-hardened";
    for c in [risky, quiet, hardened] {
        let _ = docker(&["rm", "-f", c]);
    }
    let _guard = Containers(vec![risky.into(), quiet.into(), hardened.into()]);
    // Host namespaces, added capabilities, seccomp/AppArmor off (SELinux too, but this host has
    // no SELinux, so 5.3 does not apply), the Docker socket and
    // /etc mounted, a device, restart always, no limits, and a process called sshd.
    let (ok, msg) = docker(&[
        "run",
        "-d",
        "--name",
        risky,
        "--network",
        "host",
        "--pid",
        "host",
        "--ipc",
        "host",
        "--uts",
        "host",
        "--userns",
        "host",
        "--cap-add",
        "SYS_ADMIN",
        "--cap-add",
        "NET_ADMIN",
        "--security-opt",
        "seccomp=unconfined",
        "--security-opt",
        "apparmor=unconfined",
        "--security-opt",
        "label=disable",
        "-v",
        "/var/run/docker.sock:/var/run/docker.sock",
        "-v",
        "/etc:/host-etc:ro",
        "--device",
        "/dev/null:/dev/xnull",
        "--restart",
        "always",
        "--entrypoint",
        "/bin/sh",
        IMAGE,
        "-c",
        "cp /bin/sleep /tmp/sshd && exec /tmp/sshd 600",
    ]);
    assert!(ok, "{msg}");
    // Nothing special, no limits: only the "missing setting" checks.
    let (ok, msg) = docker(&[
        "run",
        "-d",
        "--name",
        quiet,
        "--network",
        "none",
        IMAGE,
        "sleep",
        "600",
    ]);
    assert!(ok, "{msg}");
    let (ok, msg) = docker(&[
        "run",
        "-d",
        "--name",
        hardened,
        "--network",
        "none",
        "--read-only",
        "--memory",
        "64m",
        "--cpu-shares",
        "512",
        "--pids-limit",
        "50",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "--restart",
        "on-failure:5",
        HARDENED_IMAGE,
        "sleep",
        "600",
    ]);
    assert!(ok, "{msg}");
    // The process list must show the fake sshd before scanning.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !docker(&["top", risky]).1.contains("/tmp/sshd") {
        assert!(Instant::now() < deadline, "sshd stand-in did not start");
        std::thread::sleep(Duration::from_millis(200));
    }

    let (code, report, stderr) =
        palisade(&["host", "scan", "-f", "json", "--framework", "cis-docker"]);
    assert_eq!(code, 0, "{stderr}");
    let found = by_object(&report);
    let runtime = |name: &str| -> BTreeSet<String> {
        found
            .get(&format!("Container/{name}"))
            .cloned()
            .unwrap_or_default()
    };
    let missing_settings = [
        "PAL-DKR-310", // 5.11 memory
        "PAL-DKR-311", // 5.12 CPU shares
        "PAL-DKR-312", // 5.13 read-only root
        "PAL-DKR-322", // 5.26 no-new-privileges
        "PAL-DKR-323", // 5.27 health check
        "PAL-DKR-324", // 5.29 PIDs limit
    ];
    let mut want_risky = set(&missing_settings);
    want_risky.extend(set(&[
        "PAL-DKR-302", // 5.2 AppArmor unconfined
        "PAL-DKR-304", // 5.4 capabilities added
        "PAL-DKR-306", // 5.6 /etc mounted
        "PAL-DKR-307", // 5.7 sshd
        "PAL-DKR-309", // 5.10 host network
        "PAL-DKR-314", // 5.15 restart always
        "PAL-DKR-315", // 5.16 host PID
        "PAL-DKR-316", // 5.17 host IPC
        "PAL-DKR-317", // 5.18 device
        "PAL-DKR-319", // 5.21 host UTS
        "PAL-DKR-320", // 5.22 seccomp unconfined
        "PAL-DKR-326", // 5.31 host user namespace
        "PAL-DKR-327", // 5.32 Docker socket
    ]));
    assert_eq!(runtime(risky), want_risky, "risky container");
    assert_eq!(runtime(quiet), set(&missing_settings), "plain container");
    assert_eq!(runtime(hardened), BTreeSet::new(), "hardened container");

    // Images: the imported test image runs as root without a health check; the hardened one
    // has both.
    assert!(runtime("x").is_empty());
    let image = |name: &str| {
        found
            .get(&format!("Image/{name}"))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(image(IMAGE), set(&["PAL-DKR-201", "PAL-DKR-203"]));
    assert_eq!(image(HARDENED_IMAGE), BTreeSet::new());

    // The messages name the evidence, and the compliance summary counts the failed controls.
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["object"]["name"] == risky)
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    for needle in [
        "SYS_ADMIN",
        "/var/run/docker.sock",
        "/etc (ro)",
        "/tmp/sshd",
        "/dev/null",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(needle)),
            "{needle} in {messages:#?}"
        );
    }
    let compliance = &report["compliance"];
    assert_eq!(compliance["framework"], "cis-docker");
    let failed: BTreeSet<&str> = compliance["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["control"].as_str().unwrap())
        .collect();
    for control in ["5.4", "5.10", "5.32", "4.1"] {
        assert!(failed.contains(control), "{control} failed");
    }
    assert!(!failed.contains("5.5"), "nobody runs privileged");
    assert!(report["manual"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["cis"] == "5.23"));

    // SARIF: one result per finding, rules with the CIS tag.
    let (code, sarif, stderr) = palisade(&["host", "scan", "-f", "sarif"]);
    assert_eq!(code, 0, "{stderr}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), report["findings"].as_array().unwrap().len());
    let rule = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "PAL-DKR-327")
        .unwrap();
    assert!(rule["properties"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "cis-docker/5.32"));

    // Exceptions and --fail-on (other tests' containers may share this daemon: assert only on
    // ours, and use a catch-all exception for the exit status).
    let dir = tempfile::tempdir().unwrap();
    let exceptions = dir.path().join("exceptions.yaml");
    std::fs::write(
        &exceptions,
        format!("exceptions:\n- check: PAL-DKR-327\n  kind: Container\n  name: {risky}\n  reason: CI agent\n"),
    )
    .unwrap();
    let (code, report, stderr) = palisade(&[
        "host",
        "scan",
        "-f",
        "json",
        "--exceptions",
        exceptions.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let suppressed: Vec<String> = report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s["finding"]["check_id"].as_str().unwrap(),
                s["finding"]["object"]["name"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        suppressed.contains(&format!("PAL-DKR-327 {risky}")),
        "{suppressed:?}"
    );
    assert!(!by_object(&report)[&format!("Container/{risky}")].contains("PAL-DKR-327"));
    let everything = dir.path().join("all.yaml");
    std::fs::write(
        &everything,
        "exceptions:\n- check: '*'\n  reason: accepted for the test\n",
    )
    .unwrap();
    let (code, _, stderr) = palisade(&[
        "host",
        "scan",
        "-f",
        "json",
        "--exceptions",
        everything.to_str().unwrap(),
        "--fail-on",
        "low",
    ]);
    assert_eq!(code, 0, "every finding accepted: {stderr}");
    let (code, _, _) = palisade(&["host", "scan", "-f", "json", "--fail-on", "high"]);
    assert_eq!(code, 1, "high findings fail the scan");
}

/// A second dockerd with its own socket, data and exec roots; stopped on drop.
struct Daemon {
    child: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Daemon {
    fn start(config: &str, flags: &[&str]) -> Daemon {
        let dir = tempfile::Builder::new()
            .prefix("pal-dockerd-")
            .tempdir_in("/tmp")
            .unwrap();
        // The user-namespace remapped root must be able to traverse to its data root.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
        let socket = dir.path().join("docker.sock");
        let config_path = dir.path().join("daemon.json");
        std::fs::write(&config_path, config).unwrap();
        let log = std::fs::File::create(dir.path().join("dockerd.log")).unwrap();
        let mut args: Vec<String> = ["--iptables=false", "--bridge=none", "--ip-masq=false"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.push(format!("--data-root={}", dir.path().join("data").display()));
        args.push(format!("--exec-root={}", dir.path().join("exec").display()));
        args.push(format!(
            "--pidfile={}",
            dir.path().join("dockerd.pid").display()
        ));
        args.push(format!("--host=unix://{}", socket.display()));
        args.push(format!("--config-file={}", config_path.display()));
        args.extend(flags.iter().map(|s| s.to_string()));
        let child = Command::new("dockerd")
            .args(&args)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("dockerd (apt-get install docker.io)");
        let mut daemon = Daemon {
            child,
            socket,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ok = Command::new("docker")
                .args(["-H", &format!("unix://{}", daemon.socket.display()), "info"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                break;
            }
            let exited = daemon.child.try_wait().ok().flatten().is_some();
            if exited || Instant::now() > deadline {
                let log = std::fs::read_to_string(daemon._dir.path().join("dockerd.log"))
                    .unwrap_or_default();
                panic!("dockerd {flags:?} did not start:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        daemon
    }

    fn scan(&self) -> BTreeSet<String> {
        let (code, report, stderr) = palisade(&[
            "host",
            "scan",
            "-f",
            "json",
            "--docker-socket",
            self.socket.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        assert!(report["errors"].as_array().unwrap().is_empty(), "{report}");
        by_object(&report)
            .remove("DockerDaemon/dockerd")
            .unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // dockerd leaves the remapped data root mounted; unmount what is below the directory
        // so the temporary directory can go.
        let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
        let dir = self._dir.path().to_string_lossy().into_owned();
        let mut below: Vec<&str> = mounts
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1))
            .filter(|m| m.starts_with(&dir))
            .collect();
        below.sort_by_key(|m| std::cmp::Reverse(m.len()));
        for m in below {
            let _ = Command::new("umount").arg(m).status();
        }
    }
}

#[test]
fn daemon_checks_fire_on_a_weak_daemon_and_not_on_a_hardened_one() {
    // Weak: TCP without TLS, icc on, experimental, debug logging, an insecure registry, a
    // custom cgroup parent.
    let weak = Daemon::start(
        r#"{"log-level": "debug", "insecure-registries": ["registry.local:5000"], "cgroup-parent": "/palisade-weak"}"#,
        &[
            "--host=tcp://127.0.0.1:23751",
            "--tls=false",
            "--icc=true",
            "--experimental",
        ],
    );
    let found = weak.scan();
    drop(weak);
    let always = [
        "PAL-DKR-003", // 2.4 iptables=false (this machine cannot give dockerd iptables)
        "PAL-DKR-010", // 2.12 no authorization plugin
        "PAL-DKR-202", // 4.5 content trust off in the scan's environment
    ];
    let mut want = set(&always);
    want.extend(set(&[
        "PAL-DKR-001", // 2.2 icc
        "PAL-DKR-002", // 2.3 log level debug
        "PAL-DKR-004", // 2.5 insecure registry
        "PAL-DKR-006", // 2.7 TCP without TLS
        "PAL-DKR-007", // 2.9 no user namespaces
        "PAL-DKR-008", // 2.10 cgroup parent
        "PAL-DKR-011", // 2.13 logs stay on the host
        "PAL-DKR-012", // 2.14 no-new-privileges off
        "PAL-DKR-013", // 2.15 live restore off
        "PAL-DKR-014", // 2.16 userland proxy on
        "PAL-DKR-016", // 2.18 experimental
    ]));
    assert_eq!(found, want, "weak daemon");

    let hardened = Daemon::start(
        r#"{"log-level": "info", "live-restore": true, "userland-proxy": false,
            "no-new-privileges": true, "userns-remap": "default",
            "log-driver": "syslog", "log-opts": {"syslog-address": "udp://127.0.0.1:514"}}"#,
        &[],
    );
    let found = hardened.scan();
    drop(hardened);
    // icc=false needs iptables, which this machine cannot give dockerd: 2.2 stays failed.
    let mut want = set(&always);
    want.insert("PAL-DKR-001".into());
    assert_eq!(found, want, "hardened daemon");
}

fn write(root: &Path, path: &str, mode: u32, owner: Option<(u32, u32)>) {
    let full = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    if !full.exists() {
        std::fs::write(&full, "x").unwrap();
    }
    std::fs::set_permissions(&full, std::fs::Permissions::from_mode(mode)).unwrap();
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(&full, Some(uid), Some(gid)).unwrap();
    }
}

#[test]
fn file_checks_on_fixture_trees() {
    let bad = tempfile::tempdir().unwrap();
    let good = tempfile::tempdir().unwrap();
    let config = r#"{"tlsverify": true, "tlscacert": "/etc/docker/ca.pem", "tlscert": "/etc/docker/cert.pem", "tlskey": "/etc/docker/key.pem", "hosts": ["tcp://127.0.0.1:2376"]}"#;
    let files: &[(&str, u32)] = &[
        ("/lib/systemd/system/docker.service", 0o644),
        ("/lib/systemd/system/docker.socket", 0o644),
        ("/etc/docker/certs.d/registry.example.com/ca.crt", 0o444),
        ("/etc/docker/ca.pem", 0o444),
        ("/etc/docker/cert.pem", 0o444),
        ("/etc/docker/key.pem", 0o400),
        ("/etc/docker/daemon.json", 0o644),
        ("/etc/default/docker", 0o644),
        ("/etc/sysconfig/docker", 0o644),
        ("/var/run/docker.sock", 0o660),
        ("/run/containerd/containerd.sock", 0o660),
    ];
    for (root, wide) in [(bad.path(), true), (good.path(), false)] {
        std::fs::create_dir_all(root.join("etc/docker")).unwrap();
        std::fs::write(root.join("etc/docker/daemon.json"), config).unwrap();
        std::fs::write(root.join("etc/group"), "root:x:0:\ndocker:x:998:\n").unwrap();
        for (path, mode) in files {
            let gid = if path.ends_with("docker.sock") {
                998
            } else {
                0
            };
            let owner = if wide { (1000, 1000) } else { (0, gid) };
            write(root, path, if wide { 0o666 } else { *mode }, Some(owner));
        }
        let etc_docker = root.join("etc/docker");
        std::fs::set_permissions(
            &etc_docker,
            std::fs::Permissions::from_mode(if wide { 0o777 } else { 0o755 }),
        )
        .unwrap();
        std::os::unix::fs::chown(&etc_docker, Some(if wide { 1000 } else { 0 }), Some(0)).unwrap();
    }
    let scan = |root: &Path| {
        let (code, report, stderr) = palisade(&[
            "host",
            "scan",
            "-f",
            "json",
            "--no-docker",
            "--root",
            root.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["object"]["kind"] == "File")
            .map(|f| f["check_id"].as_str().unwrap().to_owned())
            .collect::<BTreeSet<String>>()
    };
    // The bad tree: every owner and mode check, and the audit checks of the files it has
    // (no audit rules); the good tree audits them all.
    let mut all: BTreeSet<String> = (101..=124).map(|n| format!("PAL-DKR-{n}")).collect();
    all.extend(set(&[
        "PAL-DKR-404",
        "PAL-DKR-406",
        "PAL-DKR-407",
        "PAL-DKR-408",
        "PAL-DKR-409",
        "PAL-DKR-410",
        "PAL-DKR-411",
        "PAL-DKR-413",
    ]));
    let rules: String = files
        .iter()
        .map(|(p, _)| format!("-w {p} -p wa -k docker\n"))
        .chain([
            "-w /etc/docker -p wa\n".to_owned(),
            "-a always,exit -F dir=/run/containerd -F perm=wa\n".to_owned(),
        ])
        .collect();
    std::fs::create_dir_all(good.path().join("etc/audit/rules.d")).unwrap();
    std::fs::write(good.path().join("etc/audit/rules.d/docker.rules"), rules).unwrap();
    assert_eq!(
        scan(bad.path()),
        all,
        "every owner and mode check fires on the bad tree"
    );
    assert_eq!(scan(good.path()), BTreeSet::new(), "none on the good tree");
}

#[test]
fn the_real_host_is_assessed() {
    let (ok, _) = docker(&["info"]);
    assert!(ok, "dockerd is not running (tests/images/start-dockerd.sh)");
    let (code, report, stderr) =
        palisade(&["host", "scan", "-f", "json", "--framework", "cis-docker"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(report["errors"].as_array().unwrap().is_empty(), "{report}");
    // This machine's daemon runs with --iptables=false (tests/images/start-dockerd.sh).
    let daemon = by_object(&report)
        .remove("DockerDaemon/dockerd")
        .unwrap_or_default();
    assert!(daemon.contains("PAL-DKR-003"), "{daemon:?}");
    // The real socket was looked at, and judged by its real owner and mode.
    let meta = std::fs::metadata("/var/run/docker.sock").unwrap();
    use std::os::unix::fs::MetadataExt;
    let wide = meta.mode() & 0o7777 & !0o660 != 0;
    let fired = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["check_id"] == "PAL-DKR-116");
    assert_eq!(
        fired,
        wide,
        "3.16 on a socket of mode {:o}",
        meta.mode() & 0o7777
    );
    assert!(report["summary"]["files"].as_u64().unwrap() >= 2);
    let score = report["compliance"]["score"].as_f64().unwrap();
    assert!(score > 0.0 && score < 100.0, "{score}");
}

#[test]
fn node_checks_on_fixture_trees() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade-checks/fixtures/host");
    let scan = |name: &str| {
        let root = fixtures.join(name);
        let (code, report, stderr) = palisade(&[
            "host",
            "scan",
            "-f",
            "json",
            "--no-docker",
            "--framework",
            "cis-kubernetes",
            "--root",
            root.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        assert!(report["errors"].as_array().unwrap().is_empty(), "{report}");
        report
    };
    let risky = scan("risky");
    let controls = risky["compliance"]["controls"].as_array().unwrap();
    let all: BTreeSet<String> = controls
        .iter()
        .flat_map(|c| {
            c["checks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_str().unwrap().to_owned())
        })
        .collect();
    assert!(
        all.len() >= 30 && all.iter().all(|id| id.starts_with("PAL-KNODE-")),
        "{all:?}"
    );
    let fired: BTreeSet<String> = risky["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fired, all, "every node check fires on the risky tree");
    assert_eq!(risky["compliance"]["score"], 0.0);
    // The flag read from the kubelet's command line, the field from its config file, the
    // manifest line of an API server flag.
    let at = |id: &str| {
        let f = risky["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check_id"] == id)
            .unwrap();
        format!(
            "{}:{}",
            f["location"]["file"].as_str().unwrap(),
            f["location"]["line"]
        )
    };
    assert_eq!(at("PAL-KNODE-007"), "/proc/4242/cmdline:1");
    assert_eq!(at("PAL-KNODE-004"), "/var/lib/kubelet/config.yaml:10");
    assert_eq!(
        at("PAL-KNODE-106"),
        "/etc/kubernetes/manifests/kube-apiserver.yaml:15"
    );

    let hardened = scan("hardened");
    assert_eq!(
        hardened["findings"].as_array().unwrap().len(),
        0,
        "{hardened}"
    );
    assert_eq!(hardened["compliance"]["score"], 100.0);
}
