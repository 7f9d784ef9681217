//! End to end, the kernel events beyond exec/open/connect: `palisade sensor run` (root, real
//! eBPF) watches real containers from the debootstrap test image doing binary drift,
//! fileless execution, unshare/nsenter and mount from privileged containers, chmod +x,
//! deleting a system binary, clearing shell history, a bind shell accepting a connection, a
//! runtime socket connect, setgid to root and capset raising CAP_SYS_ADMIN; it must raise exactly the expected rules with the container's
//! attribution, and nothing for the benign containers. Needs root, a BTF kernel, dockerd
//! (`tests/images/start-dockerd.sh`) and the test rootfs (`tests/images/build.sh`); a missing
//! piece fails the test, it never skips.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

mod sensor_support;
use sensor_support::{docker, ensure_image, spawn_sensor, Containers, IMAGE};

/// One container: its name suffix, extra `docker run` options, command, and the rules it
/// must raise (exactly).
struct Case {
    name: &'static str,
    opts: Vec<String>,
    cmd: Vec<String>,
    rules: BTreeSet<&'static str>,
}

fn case(name: &'static str, opts: &[&str], cmd: &[&str], rules: &[&'static str]) -> Case {
    Case {
        name,
        opts: opts.iter().map(|s| s.to_string()).collect(),
        cmd: cmd.iter().map(|s| s.to_string()).collect(),
        rules: rules.iter().copied().collect(),
    }
}

/// perl: a memfd holding /bin/true, executed through /proc/self/fd (no file on disk).
const FILELESS: &str = r#"my $n = "pal"; my $fd = syscall(319, $n, 0); die "memfd: $!" if $fd < 0;
open(my $fh, ">&=", $fd) or die; select($fh); $| = 1;
open(my $in, "<", "/bin/true") or die; local $/; my $b = <$in>; print $fh $b;
exec {"/proc/self/fd/$fd"} "true" or die "exec: $!";"#;

/// perl: a bind shell's listener on 127.0.0.1:PORT that accepts one connection.
fn bind_listener(port: u16) -> String {
    format!(
        r#"use Socket; socket(S, PF_INET, SOCK_STREAM, 0) or die; setsockopt(S, SOL_SOCKET, SO_REUSEADDR, 1);
bind(S, sockaddr_in({port}, INADDR_LOOPBACK)) or die "bind: $!"; listen(S, 1) or die;
accept(C, S) or die "accept: $!"; print C "hi\n"; close C;"#
    )
}

/// perl: connect to a Unix socket named like Docker's.
const RUNTIME_SOCKET: &str = r#"use Socket; socket(S, PF_UNIX, SOCK_STREAM, 0) or die;
connect(S, sockaddr_un("/run/pal/docker.sock")) or die "connect: $!";"#;

#[test]
fn sensor_alerts_on_kernel_events_in_real_containers() {
    ensure_image();
    let dir = tempfile::tempdir().unwrap();
    let alerts_path = dir.path().join("alerts.jsonl");
    let (mut sensor, log) = spawn_sensor(&alerts_path, "120");

    // A Unix socket named like the Docker socket, bind-mounted into one container.
    let sockdir = dir.path().join("run");
    std::fs::create_dir(&sockdir).unwrap();
    let sock = std::os::unix::net::UnixListener::bind(sockdir.join("docker.sock")).unwrap();
    let sock_mount = format!("{}:/run/pal", sockdir.display());
    // A free loopback port for the bind shell.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listener = bind_listener(port);
    // A host process for nsenter to enter. Without capabilities: entering a process's
    // namespaces needs a superset of its permitted capabilities, and the containers here lack
    // CAP_SYS_RESOURCE (see `priv_`).
    let mut host_proc = Command::new("setpriv")
        .args(["--bounding-set=-all", "--inh-caps=-all", "sleep", "120"])
        .spawn()
        .expect("setpriv (util-linux)");
    let host_pid = host_proc.id().to_string();

    // What a privileged container can do, without `--privileged` itself: runc cannot apply the
    // full capability set where the machine's bounding set lacks some (CAP_SYS_RESOURCE in
    // some CI sandboxes).
    let priv_ = [
        "--cap-add",
        "SYS_ADMIN",
        "--cap-add",
        "SYS_PTRACE",
        "--security-opt",
        "seccomp=unconfined",
        "--security-opt",
        "apparmor=unconfined",
        "--network",
        "none",
    ];
    let none = ["--network", "none"];
    let cases = vec![
        case(
            "drift",
            &none,
            // Run by a relative path: the exec path is made absolute with the cwd.
            &[
                "sh",
                "-c",
                "cp /bin/ls /opt/tool && cd /opt && ./tool . >/dev/null",
            ],
            &["PAL-NODE-028"],
        ),
        case(
            "fileless",
            &none,
            &["perl", "-e", FILELESS],
            &["PAL-NODE-029", "PAL-NODE-031"],
        ),
        case(
            "unshare",
            &priv_,
            &["unshare", "-m", "true"],
            &["PAL-NODE-005", "PAL-NODE-034"],
        ),
        case(
            "nsenter",
            &[&priv_[..], &["--pid", "host"]].concat(),
            &["nsenter", "-t", &host_pid, "-m", "true"],
            &["PAL-NODE-005", "PAL-NODE-034"],
        ),
        case(
            "mount",
            &priv_,
            &["mount", "-t", "tmpfs", "paltmp", "/mnt"],
            &["PAL-NODE-023", "PAL-NODE-032"],
        ),
        case(
            "chmod",
            &none,
            &[
                "sh",
                "-c",
                "echo 'echo hi' > /tmp/run.sh && chmod +x /tmp/run.sh",
            ],
            &["PAL-NODE-030"],
        ),
        case("rmbin", &none, &["rm", "/bin/true"], &["PAL-NODE-039"]),
        // With a terminal (`docker run -t`): the interactive shell is reported.
        case(
            "history",
            &["--network", "none", "-t"],
            &[
                "sh",
                "-c",
                "cd /root && touch .bash_history && : > /root/.bash_history && rm .bash_history",
            ],
            &["PAL-NODE-001", "PAL-NODE-026", "PAL-NODE-042"],
        ),
        case(
            "socket",
            &["--network", "none", "-v", &sock_mount],
            &["perl", "-e", RUNTIME_SOCKET],
            &["PAL-NODE-035"],
        ),
        // A non-root process asking for group root (fails, but the call is the signal).
        case(
            "setgid",
            &["--network", "none", "-u", "1000:1000"],
            &["perl", "-e", r#"$) = "0 0""#],
            &["PAL-NODE-045"],
        ),
        // Raising CAP_SYS_ADMIN into the ambient set.
        case(
            "capset",
            &["--network", "none", "--cap-add", "SYS_ADMIN"],
            &[
                "setpriv",
                "--inh-caps=+sys_admin",
                "--ambient-caps=+sys_admin",
                "true",
            ],
            &["PAL-NODE-044"],
        ),
        // Benign: ordinary work, no alerts.
        case(
            "benign",
            &none,
            &[
                "perl",
                "-e",
                r#"open(F, "<", "/etc/hostname") or die; my @l = <F>; open(O, ">", "/tmp/out") or die; print O @l;"#,
            ],
            &[],
        ),
        case("ls", &none, &["ls", "-l", "/usr/bin"], &[]),
    ];

    let tag = std::process::id();
    let name = |n: &str| format!("pal-kern-{tag}-{n}");
    let mut containers = Containers(Vec::new());
    let mut ids = BTreeMap::new();
    let run = |cname: &str, opts: &[String], cmd: &[String], detach: bool| {
        let mut args: Vec<&str> = vec!["run", "--name", cname];
        if detach {
            args.push("-d");
        }
        args.extend(opts.iter().map(String::as_str));
        args.push(IMAGE);
        args.extend(cmd.iter().map(String::as_str));
        let (ok, out) = docker(&args);
        assert!(ok, "{cname}: {out}");
    };
    for c in &cases {
        let cname = name(c.name);
        containers.0.push(cname.clone());
        run(&cname, &c.opts, &c.cmd, false);
        ids.insert(
            cname.clone(),
            docker(&["inspect", "-f", "{{.Id}}", &cname]).1,
        );
    }
    // The bind shell: started detached, then we connect to it from the host.
    let bind = name("bindshell");
    containers.0.push(bind.clone());
    run(
        &bind,
        &["--network".into(), "host".into()],
        &["perl".into(), "-e".into(), listener],
        true,
    );
    ids.insert(bind.clone(), docker(&["inspect", "-f", "{{.Id}}", &bind]).1);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut conn = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(c) => break c,
            Err(e) if Instant::now() > deadline => panic!("bind shell not listening: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    let _ = conn.write_all(b"id\n");
    let (ok, code) = docker(&["wait", &bind]);
    assert!(ok && code.trim() == "0", "bind shell container: {code}");
    drop(sock);
    let _ = host_proc.kill();
    let _ = host_proc.wait();

    let mut expected: BTreeSet<(String, String)> = cases
        .iter()
        .flat_map(|c| c.rules.iter().map(move |r| (name(c.name), r.to_string())))
        .collect();
    expected.insert((bind.clone(), "PAL-NODE-047".into()));
    let read = || -> Vec<Value> {
        std::fs::read_to_string(&alerts_path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let prefix = format!("pal-kern-{tag}-");
    let ours = |alerts: &[Value]| -> BTreeSet<(String, String)> {
        alerts
            .iter()
            .filter_map(|a| {
                let n = a["container"]["name"].as_str()?;
                n.starts_with(&prefix)
                    .then(|| (n.to_string(), a["rule_id"].as_str().unwrap().to_string()))
            })
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !expected.is_subset(&ours(&read())) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(2));
    let _ = sensor.kill();
    let _ = sensor.wait();
    let log = log.join().unwrap();
    let alerts = read();
    let got = ours(&alerts);
    let unexpected: Vec<&Value> = alerts
        .iter()
        .filter(|a| {
            let n = a["container"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let r = a["rule_id"].as_str().unwrap_or_default().to_string();
            n.starts_with(&prefix) && !expected.contains(&(n, r))
        })
        .collect();
    assert_eq!(
        got,
        expected,
        "missing: {:?}\nunexpected: {unexpected:#?}\nsensor log:\n{log}",
        expected.difference(&got).collect::<Vec<_>>(),
    );

    for a in &alerts {
        let Some(n) = a["container"]["name"].as_str() else {
            continue;
        };
        let Some(id) = ids.get(n) else { continue };
        assert_eq!(a["container"]["id"], id.as_str(), "{a}");
        assert_eq!(a["container"]["image"], IMAGE, "{a}");
        let ev = &a["evidence"];
        match a["rule_id"].as_str().unwrap() {
            "PAL-NODE-028" => {
                assert_eq!(a["process"]["exepath"], "/opt/tool", "{a}");
                assert_eq!(ev["exe_upper_layer"], true, "{a}");
            }
            "PAL-NODE-029" => {
                assert_eq!(ev["exe_from_memfd"], true, "{a}");
                assert!(ev["path"].as_str().unwrap().starts_with("/proc/self/fd/"));
            }
            "PAL-NODE-031" => assert_eq!(ev["path"], "pal", "{a}"),
            "PAL-NODE-030" => {
                assert_eq!(ev["path"], "/tmp/run.sh", "{a}");
                assert_eq!(a["process"]["name"], "chmod", "{a}");
            }
            "PAL-NODE-032" => {
                assert_eq!(ev["path"], "/mnt", "{a}");
                assert_eq!(ev["path2"], "paltmp", "{a}");
                assert_eq!(ev["fstype"], "tmpfs", "{a}");
            }
            "PAL-NODE-034" => assert!(
                a["process"]["name"] == "unshare" || a["process"]["name"] == "nsenter",
                "{a}"
            ),
            "PAL-NODE-039" => assert_eq!(ev["path"], "/bin/true", "{a}"),
            // The relative `rm .bash_history` resolved with the working directory.
            "PAL-NODE-042" => assert_eq!(ev["path"], "/root/.bash_history", "{a}"),
            "PAL-NODE-035" => assert_eq!(ev["path"], "/run/pal/docker.sock", "{a}"),
            "PAL-NODE-045" => {
                assert_eq!(ev["a0"], 0, "{a}");
                assert_eq!(a["process"]["uid"], 1000, "{a}");
            }
            "PAL-NODE-044" => assert!(
                a["message"].as_str().unwrap().contains("CAP_SYS_ADMIN"),
                "{a}"
            ),
            "PAL-NODE-047" => {
                assert_eq!(ev["laddr"], "127.0.0.1", "{a}");
                assert_eq!(ev["a2"], i64::from(port), "{a}");
                assert_eq!(ev["addr"], "127.0.0.1", "{a}");
            }
            _ => {}
        }
    }
    assert!(!log.contains("events dropped"), "{log}");
}
