//! `palisade server` as a real process on both stores: ingest batches of real alerts (made by
//! `palisade audit analyze`), `kill -9` the server in the middle, restart it: every batch it
//! acknowledged is there, and sending everything again stores each alert exactly once.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ALERTS: usize = 12_000;
const BATCH: usize = 400;

fn palisade() -> Command {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
}

fn exec_event(i: usize) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"kill-{i}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/pods/web-{i}/exec?command=sh","verb":"create","user":{{"username":"alice@example.com","groups":["system:authenticated"]}},"sourceIPs":["203.0.113.7"],"objectRef":{{"resource":"pods","namespace":"shop","name":"web-{i}","apiVersion":"v1","subresource":"exec"}},"responseStatus":{{"metadata":{{}},"code":101}},"requestReceivedTimestamp":"2026-03-02T10:00:00.000000Z","stageTimestamp":"2026-03-02T10:00:00.000000Z"}}"#
    )
}

/// `ALERTS` real alerts, one per pod, as `palisade audit analyze` writes them.
fn real_alerts() -> Vec<String> {
    let mut child = palisade()
        .args(["audit", "analyze", "-", "--cluster", "kill-test"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for i in 0..ALERTS {
            writeln!(stdin, "{}", exec_event(i)).unwrap();
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), ALERTS);
    lines
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn token(db: &str, role: &str) -> String {
    let out = palisade()
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
    let token = String::from_utf8(out.stdout).unwrap();
    assert_eq!(token.lines().count(), 1, "the token alone on stdout");
    token.trim().to_string()
}

/// Starts the server and waits until it answers `/readyz`.
fn start(db: &str, port: u16) -> Child {
    let mut child = palisade()
        .args([
            "server",
            "--db",
            db,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("server: {line}");
            }
        }
    });
    let client = reqwest::blocking::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("http://127.0.0.1:{port}/readyz")).send() {
            if r.status().is_success() {
                return child;
            }
        }
        assert!(Instant::now() < deadline, "server did not start");
        if let Some(status) = child.try_wait().unwrap() {
            panic!("server exited: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn post(
    client: &reqwest::blocking::Client,
    port: u16,
    token: &str,
    body: String,
) -> Option<serde_json::Value> {
    let r = client
        .post(format!("http://127.0.0.1:{port}/api/v1/ingest/alerts"))
        .bearer_auth(token)
        .body(body)
        .send()
        .ok()?;
    if !r.status().is_success() {
        return None;
    }
    serde_json::from_str(&r.text().ok()?).ok()
}

/// Every alert's resource (`pods/exec shop/web-N`) the server lists.
fn stored_resources(port: u16, token: &str) -> Vec<String> {
    let client = reqwest::blocking::Client::new();
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("http://127.0.0.1:{port}/api/v1/alerts?limit=500");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let text = client
            .get(url)
            .bearer_auth(token)
            .send()
            .unwrap()
            .text()
            .unwrap();
        let page: serde_json::Value = serde_json::from_str(&text).unwrap();
        for a in page["items"].as_array().unwrap() {
            assert_eq!(a["count"], 1);
            out.push(a["resource"].as_str().unwrap().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
}

fn kill_and_restart(db: &str) {
    let alerts = Arc::new(real_alerts());
    let ingest = token(db, "ingest");
    let reader = token(db, "reader");
    let port = free_port();
    let mut server = start(db, port);

    // Send batches until the server dies; remember which were acknowledged.
    let acked = Arc::new(AtomicUsize::new(0));
    let sender = {
        let (alerts, acked, ingest) = (alerts.clone(), acked.clone(), ingest.clone());
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::new();
            for (n, batch) in alerts.chunks(BATCH).enumerate() {
                match post(&client, port, &ingest, batch.join("\n")) {
                    Some(v) => {
                        assert_eq!(v["accepted"], batch.len(), "{v}");
                        acked.store(n + 1, Ordering::SeqCst);
                    }
                    None => return,
                }
            }
        })
    };
    // Kill in the middle of the stream (some batches acknowledged, more in flight).
    let deadline = Instant::now() + Duration::from_secs(120);
    while acked.load(Ordering::SeqCst) < 5 {
        assert!(Instant::now() < deadline, "no batch acknowledged");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    sender.join().unwrap();
    let acked_batches = acked.load(Ordering::SeqCst);
    assert!(
        acked_batches * BATCH < ALERTS,
        "the server was killed after the last batch: make the test send more"
    );

    let port = free_port();
    let mut server = start(db, port);
    let stored = stored_resources(port, &reader);
    let set: std::collections::HashSet<&str> = stored.iter().map(String::as_str).collect();
    for i in 0..acked_batches * BATCH {
        assert!(
            set.contains(format!("pods/exec shop/web-{i}").as_str()),
            "{db}: acknowledged alert {i} lost ({} stored, {acked_batches} batches acknowledged)",
            stored.len()
        );
    }
    // Everything again: each alert stored exactly once.
    let client = reqwest::blocking::Client::new();
    let (mut accepted, mut duplicates) = (0, 0);
    for batch in alerts.chunks(BATCH) {
        let v = post(&client, port, &ingest, batch.join("\n")).expect("ingest after restart");
        accepted += v["accepted"].as_u64().unwrap();
        duplicates += v["duplicates"].as_u64().unwrap();
    }
    assert_eq!(accepted + duplicates, ALERTS as u64);
    assert!(duplicates as usize >= acked_batches * BATCH);
    assert_eq!(stored_resources(port, &reader).len(), ALERTS, "{db}");
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn kill_9_loses_no_acknowledged_alert_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    kill_and_restart(&format!(
        "sqlite:{}",
        dir.path().join("server.db").display()
    ));
}

#[test]
fn kill_9_loses_no_acknowledged_alert_on_postgres() {
    let base = std::env::var("PALISADE_TEST_POSTGRES").expect(
        "PALISADE_TEST_POSTGRES must name a PostgreSQL database whose role may CREATE DATABASE \
         (.ci/run sets it up)",
    );
    let name = format!("palisade_kill_{}", std::process::id());
    let out = Command::new("psql")
        .args([
            base.as_str(),
            "-q",
            "-c",
            &format!("CREATE DATABASE {name}"),
        ])
        .output()
        .expect("psql (Debian postgresql-client)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (prefix, _) = base.rsplit_once('/').unwrap();
    kill_and_restart(&format!("{prefix}/{name}"));
}

/// `palisade audit analyze --server URL`: the alerts go to the server (batched), a rerun
/// stores nothing new, a bad token fails the command naming the refusal.
#[test]
fn audit_analyze_reports_to_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("server.db").display());
    let ingest = token(&db, "ingest");
    let reader = token(&db, "reader");
    let port = free_port();
    let mut server = start(&db, port);
    let log = dir.path().join("audit.log");
    let events: Vec<String> = (0..2500).map(exec_event).collect();
    std::fs::write(&log, events.join("\n") + "\n").unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let analyze = |token: &str| {
        palisade()
            .args([
                "audit",
                "analyze",
                log.to_str().unwrap(),
                "--cluster",
                "kill-test",
            ])
            .args(["--server", &url])
            .env("PALISADE_TOKEN", token)
            .output()
            .unwrap()
    };
    let out = analyze(&ingest);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "alerts went to the server, not stdout"
    );
    assert_eq!(stored_resources(port, &reader).len(), 2500);
    let again = analyze(&ingest);
    assert!(again.status.success());
    assert_eq!(stored_resources(port, &reader).len(), 2500);

    let refused = analyze(&reader);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("403") && stderr.contains("role reader"),
        "{stderr}"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
