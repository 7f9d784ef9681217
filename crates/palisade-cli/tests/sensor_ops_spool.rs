//! End to end: disk-buffered forwarding (`--forward URL --spool DIR`). The receiver is down
//! during a first run, the sensor is restarted, the receiver comes up: every alert of both
//! runs arrives (at-least-once: duplicates are allowed, losses are not), as JSON-lines
//! batches, and the spool is emptied. Needs root, a BTF kernel, dockerd and the test
//! rootfs; never skips.

mod sensor_support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sensor_support::{docker, ensure_image, http_get, Containers, Sensor, IMAGE};

/// A minimal HTTP receiver: records (content-type, body) of each POST, answers 200.
fn receiver(listener: TcpListener, got: Arc<Mutex<Vec<(String, String)>>>) {
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut r = BufReader::new(conn.try_clone().unwrap());
            let (mut len, mut ctype) = (0usize, String::new());
            let mut line = String::new();
            while r.read_line(&mut line).unwrap_or(0) > 0 {
                let l = line.trim_end().to_ascii_lowercase();
                if l.is_empty() {
                    break;
                }
                if let Some(v) = l.strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                if let Some(v) = l.strip_prefix("content-type:") {
                    ctype = v.trim().to_string();
                }
                line.clear();
            }
            let mut body = vec![0; len];
            r.read_exact(&mut body).unwrap();
            got.lock()
                .unwrap()
                .push((ctype, String::from_utf8(body).unwrap()));
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
}

fn shadow_reader(name: &str) -> String {
    let (ok, out) = docker(&[
        "run",
        "--name",
        name,
        "--network",
        "none",
        IMAGE,
        "sh",
        "-c",
        "cat /etc/shadow >/dev/null",
    ]);
    assert!(ok, "{out}");
    docker(&["inspect", "-f", "{{.Id}}", name]).1
}

#[test]
fn alerts_survive_a_down_receiver_and_a_restart() {
    ensure_image();
    // A port nobody listens on yet.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/alerts");
    let spool_dir = tempfile::tempdir().unwrap();
    let spool = spool_dir.path().display().to_string();
    let tag = std::process::id();
    let (a, b) = (
        format!("pal-ops-{tag}-spool-a"),
        format!("pal-ops-{tag}-spool-b"),
    );
    let _c = Containers(vec![a.clone(), b.clone()]);

    // 1. Receiver down: alerts are written and spooled.
    let first = Sensor::start(&[
        "--forward",
        &url,
        "--spool",
        &spool,
        "--listen",
        "127.0.0.1:0",
    ]);
    let id_a = shadow_reader(&a);
    first.wait_for(Duration::from_secs(20), |al| {
        al.iter().any(|x| x["container"]["id"] == id_a.as_str())
    });
    std::thread::sleep(Duration::from_secs(3));
    let (_, metrics) = http_get(first.listen.as_deref().unwrap(), "/metrics");
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("palisade_sensor_forward_errors_total ") && !l.ends_with(" 0")),
        "{metrics}"
    );
    let first_ids: BTreeSet<String> = first
        .read_alerts()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    first.stop();
    assert!(!first_ids.is_empty());
    let spooled: usize = std::fs::read_dir(spool_dir.path())
        .unwrap()
        .map(|e| {
            std::fs::read_to_string(e.unwrap().path())
                .unwrap()
                .lines()
                .count()
        })
        .sum();
    assert!(
        spooled >= first_ids.len(),
        "{spooled} spooled, {} written",
        first_ids.len()
    );

    // 2. Receiver up, sensor restarted on the same spool.
    let got = Arc::new(Mutex::new(Vec::new()));
    receiver(TcpListener::bind(("127.0.0.1", port)).unwrap(), got.clone());
    let second = Sensor::start(&[
        "--forward",
        &url,
        "--spool",
        &spool,
        "--listen",
        "127.0.0.1:0",
    ]);
    let id_b = shadow_reader(&b);
    second.wait_for(Duration::from_secs(20), |al| {
        al.iter().any(|x| x["container"]["id"] == id_b.as_str())
    });
    let second_ids: BTreeSet<String> = second
        .read_alerts()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    let all: BTreeSet<String> = first_ids.union(&second_ids).cloned().collect();
    let received = || -> BTreeSet<String> {
        got.lock()
            .unwrap()
            .iter()
            .flat_map(|(_, body)| body.lines().map(str::to_string).collect::<Vec<_>>())
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(&l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !all.is_subset(&received()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let missing: Vec<_> = all.difference(&received()).cloned().collect();
    assert!(missing.is_empty(), "not delivered: {missing:?}");
    for (ctype, body) in got.lock().unwrap().iter() {
        assert_eq!(ctype, "application/x-ndjson");
        assert!(body.ends_with('\n'));
    }
    let (_, metrics) = http_get(second.listen.as_deref().unwrap(), "/metrics");
    assert!(
        metrics.contains("palisade_sensor_spool_lost_total 0"),
        "{metrics}"
    );
    second.stop();
    // Everything acknowledged is gone from the spool (the stop closes and sends the rest).
    let left: Vec<_> = std::fs::read_dir(spool_dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}
