//! End to end: `palisade sensor run` (as root, real eBPF) watches real containers started
//! from an image imported from the debootstrap test rootfs, and must raise exactly the
//! expected alerts with the right container id, name and image, and none for benign ones.
//! Needs root, a BTF kernel, dockerd (`tests/images/start-dockerd.sh`) and the test rootfs
//! (`tests/images/build.sh`); a missing piece fails the test, it never skips.

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::Value;

mod sensor_support;
use sensor_support::{docker, ensure_image, spawn_sensor, Containers, IMAGE};

#[test]
fn sensor_alerts_on_real_container_behaviour() {
    ensure_image();
    let dir = tempfile::tempdir().unwrap();
    let alerts_path = dir.path().join("alerts.jsonl");
    let (mut sensor, log) = spawn_sensor(&alerts_path, "90");

    // Local listeners for the reverse shell and the "mining pool".
    let shell_listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let shell_port = shell_listener.local_addr().unwrap().port();
    let pool = TcpListener::bind("127.0.0.1:3333").expect("port 3333 (the test pool) is taken");

    let tag = std::process::id();
    let name = |n: &str| format!("pal-sensor-{tag}-{n}");
    let cases: Vec<(&str, Vec<String>, &str, BTreeSet<&str>)> = vec![
        (
            "shadow",
            vec![
                "sh".into(),
                "-c".into(),
                "cat /etc/shadow > /dev/null".into(),
            ],
            "none",
            BTreeSet::from(["PAL-NODE-011"]),
        ),
        (
            "etc",
            vec![
                "sh".into(),
                "-c".into(),
                "cd /usr/lib && touch /etc/x".into(),
            ],
            "none",
            BTreeSet::from(["PAL-NODE-013"]),
        ),
        (
            "revshell",
            vec![
                "bash".into(),
                "-c".into(),
                format!("exec 3<>/dev/tcp/127.0.0.1/{shell_port}; echo hi >&3"),
            ],
            "host",
            BTreeSet::from(["PAL-NODE-016"]),
        ),
        (
            "miner",
            vec![
                "sh".into(),
                "-c".into(),
                "cp /bin/bash /tmp/xmrig && /tmp/xmrig -c 'exec 3<>/dev/tcp/127.0.0.1/3333'".into(),
            ],
            "host",
            BTreeSet::from([
                "PAL-NODE-004",
                "PAL-NODE-017",
                "PAL-NODE-022",
                // /tmp/xmrig was copied into the writable layer: drift.
                "PAL-NODE-028",
            ]),
        ),
        ("true", vec!["true".into()], "none", BTreeSet::new()),
        (
            "ls",
            vec!["ls".into(), "-l".into(), "/usr".into()],
            "none",
            BTreeSet::new(),
        ),
    ];
    let mut containers = Containers(Vec::new());
    let mut ids = BTreeMap::new();
    for (n, cmd, net, _) in &cases {
        let cname = name(n);
        containers.0.push(cname.clone());
        let mut args = vec!["run", "--name", &cname, "--network", net, IMAGE];
        args.extend(cmd.iter().map(String::as_str));
        let (ok, out) = docker(&args);
        assert!(ok, "{n}: {out}");
        let (ok, id) = docker(&["inspect", "-f", "{{.Id}}", &cname]);
        assert!(ok, "{id}");
        ids.insert(cname, id);
    }
    drop((shell_listener, pool));

    // Wait until every expected alert is there, then a little longer for unexpected ones.
    let expected: BTreeSet<(String, String)> = cases
        .iter()
        .flat_map(|(n, _, _, rules)| rules.iter().map(move |r| (name(n), r.to_string())))
        .collect();
    let read = || -> Vec<Value> {
        std::fs::read_to_string(&alerts_path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let ours = |alerts: &[Value]| -> BTreeSet<(String, String)> {
        alerts
            .iter()
            .filter_map(|a| {
                let n = a["container"]["name"].as_str()?;
                n.starts_with(&format!("pal-sensor-{tag}-"))
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
    assert_eq!(ours(&alerts), expected, "sensor log:\n{log}");

    for a in &alerts {
        let Some(n) = a["container"]["name"].as_str() else {
            continue;
        };
        let Some(id) = ids.get(n) else { continue };
        assert_eq!(a["container"]["id"], id.as_str(), "{a}");
        assert_eq!(a["container"]["image"], IMAGE, "{a}");
        assert_eq!(
            a["container"]["image_repository"], "palisade-test/sensor",
            "{a}"
        );
        assert_eq!(a["container"]["image_tag"], "1", "{a}");
        assert!(a["container"]["image_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:"));
        assert!(a["mitre"]["techniques"][0]
            .as_str()
            .unwrap()
            .starts_with('T'));
        match a["rule_id"].as_str().unwrap() {
            "PAL-NODE-011" => {
                assert_eq!(a["process"]["name"], "cat");
                assert_eq!(a["evidence"]["path"], "/etc/shadow");
                assert_eq!(a["process"]["pname"], "sh");
                assert_eq!(a["process"]["cwd"], "/");
            }
            "PAL-NODE-013" => {
                assert_eq!(a["process"]["exepath"], "/usr/bin/touch");
                assert_eq!(a["process"]["cwd"], "/usr/lib");
                assert_eq!(a["evidence"]["path"], "/etc/x");
            }
            "PAL-NODE-016" => {
                assert_eq!(a["process"]["name"], "bash");
                assert_eq!(a["evidence"]["addr"], "127.0.0.1");
                assert_eq!(a["evidence"]["a1"], i64::from(shell_port));
            }
            "PAL-NODE-017" => {
                assert_eq!(a["process"]["name"], "xmrig");
                assert_eq!(a["evidence"]["a1"], 3333);
            }
            _ => {}
        }
    }
    assert!(!log.contains("events dropped"), "{log}");
}
