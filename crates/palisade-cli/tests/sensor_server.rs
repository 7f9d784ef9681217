//! `palisade sensor run --server` against a real `palisade server` process: the sensor (root,
//! real eBPF) sends heartbeats listing the real Docker containers running, and its alerts
//! through the spool; the server's coverage, containers and alerts show them, and a stopped
//! container leaves the running list with the next heartbeat. Needs root, a BTF kernel and
//! dockerd (`.ci/run` starts it); a missing piece fails the test.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod sensor_support;
use sensor_support::{docker, ensure_image, Containers, Sensor, IMAGE};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn token(db: &str, role: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "server", "token", "create", "--db", db, "--role", role, "--name", role,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn get(url: &str, token: &str) -> Value {
    let r = reqwest::blocking::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .unwrap();
    assert!(r.status().is_success(), "GET {url}: {}", r.status());
    serde_json::from_str(&r.text().unwrap()).unwrap()
}

/// Polls `f` until it answers `Some` (30 s at most).
fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn running(base: &str, reader: &str) -> Vec<Value> {
    get(
        &format!("{base}/api/v1/containers?node=sensor-server-test"),
        reader,
    )["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn sensor_reports_heartbeats_and_alerts_to_the_server() {
    ensure_image();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("server.db").display());
    let (ingest, reader) = (token(&db, "ingest"), token(&db, "reader"));
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args([
                "server",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--db",
                &db,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    eventually("the server", || {
        reqwest::blocking::get(format!("{base}/readyz"))
            .ok()
            .filter(|r| r.status().is_success())
    });
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{ingest}\n")).unwrap();
    let spool = dir.path().join("spool");
    let sensor = Sensor::start(&[
        "--server",
        &base,
        "--token-file",
        token_file.to_str().unwrap(),
        "--spool",
        spool.to_str().unwrap(),
        "--node",
        "sensor-server-test",
        "--cluster",
        "ci",
        "--heartbeat-interval",
        "1s",
    ]);

    let name = format!("pal-sensor-server-{}", std::process::id());
    let containers = Containers(vec![name.clone()]);
    let (ok, id) = docker(&["run", "-d", "--name", &name, IMAGE, "sleep", "120"]);
    assert!(ok, "{id}");
    let id = id.lines().next().unwrap().trim().to_string();
    let (ok, out) = docker(&["exec", &name, "sh", "-c", "cat /etc/shadow > /dev/null"]);
    assert!(ok, "{out}");

    // The heartbeat lists the container, with its image id; the coverage shows a live sensor.
    let listed = eventually("the container in a heartbeat", || {
        running(&base, &reader)
            .into_iter()
            .find(|c| c["id"] == id.as_str())
    });
    let (ok, image_id) = docker(&["image", "inspect", "--format", "{{.Id}}", IMAGE]);
    assert!(ok);
    assert_eq!(listed["image_digest"], image_id.trim(), "{listed}");
    assert_eq!(listed["cluster"], "ci");
    let coverage = get(&format!("{base}/api/v1/coverage"), &reader);
    let me = coverage["sensors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["node"] == "sensor-server-test")
        .unwrap_or_else(|| panic!("{coverage}"))
        .clone();
    assert_eq!(me["stale"], false);
    assert_eq!(me["collector"], "ebpf");
    assert!(me["heartbeats"].as_i64().unwrap() >= 1);

    // The alert arrives through the spool. The sensor sees every container on this host, so
    // other tests' containers may raise the same rule: look for this test's container.
    let alert = eventually("the shadow-read alert", || {
        get(
            &format!("{base}/api/v1/alerts?node=sensor-server-test&rule=PAL-NODE-011"),
            &reader,
        )["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| {
                a["resource"]
                    .as_str()
                    .is_some_and(|r| r.contains(&id[..12]))
            })
            .cloned()
    });
    assert_eq!(alert["source"], "node");
    assert!(
        alert["resource"].as_str().unwrap().contains(&id[..12]),
        "{alert}"
    );

    // A stopped container leaves the list with the next heartbeat.
    drop(containers);
    eventually("the container gone from the running list", || {
        (!running(&base, &reader)
            .iter()
            .any(|c| c["id"] == id.as_str()))
        .then_some(())
    });
    let log = sensor.stop();
    assert!(!log.contains("heartbeat: "), "no failed heartbeat: {log}");
    assert!(Path::new(&spool).exists());
}
