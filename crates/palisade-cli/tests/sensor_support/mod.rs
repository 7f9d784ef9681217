//! Helpers of the sensor end-to-end tests (`sensor_e2e*`, `sensor_ops*`): docker, the test image, a running sensor whose log and
//! alerts can be waited on, and a plain HTTP/1.0 GET.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The image the sensor end-to-end tests use (imported from the test rootfs).
pub const IMAGE: &str = "palisade-test/sensor:1";

pub fn docker(args: &[&str]) -> (bool, String) {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("running docker (install docker.io)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string()
            + &String::from_utf8_lossy(&out.stderr),
    )
}

/// Imports the test rootfs as [`IMAGE`] unless it is there already.
pub fn ensure_image() {
    let (ok, msg) = docker(&["info", "--format", "{{.ServerVersion}}"]);
    assert!(
        ok,
        "dockerd is not running (tests/images/start-dockerd.sh): {msg}"
    );
    if docker(&["image", "inspect", IMAGE]).0 {
        return;
    }
    let dir = std::env::var_os("PALISADE_TEST_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-images"));
    let rootfs = dir.join("rootfs");
    assert!(
        rootfs.join("bin").exists(),
        "{} missing: run tests/images/build.sh",
        rootfs.display()
    );
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "tar -C '{}' -c . | docker import - {IMAGE}",
            rootfs.display()
        ))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "docker import failed");
}

/// Containers removed on drop.
pub struct Containers(pub Vec<String>);

impl Drop for Containers {
    fn drop(&mut self) {
        for c in &self.0 {
            let _ = docker(&["rm", "-f", c]);
        }
    }
}

/// Without terminal colour codes.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A `palisade sensor run` writing alerts to a file in its own temporary directory.
pub struct Sensor {
    child: Child,
    pub dir: tempfile::TempDir,
    pub alerts: PathBuf,
    /// The address of --listen, from the log.
    pub listen: Option<String>,
    log: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Sensor {
    /// Starts the sensor with `args` after `sensor run -o <alerts>` and waits until it
    /// collects.
    pub fn start(args: &[&str]) -> Sensor {
        Sensor::start_in(tempfile::tempdir().unwrap(), args)
    }

    pub fn start_in(dir: tempfile::TempDir, args: &[&str]) -> Sensor {
        Sensor::start_wrapped(dir, &[], args)
    }

    /// Runs the sensor through `wrapper` (a program and its arguments, which then execs the
    /// palisade binary given as its last argument), e.g. `setpriv ... --`.
    pub fn start_wrapped(dir: tempfile::TempDir, wrapper: &[&str], args: &[&str]) -> Sensor {
        let alerts = dir.path().join("alerts.jsonl");
        let bin = env!("CARGO_BIN_EXE_palisade");
        let mut cmd = match wrapper.split_first() {
            Some((program, rest)) => {
                let mut c = Command::new(program);
                c.args(rest).arg(bin);
                c
            }
            None => Command::new(bin),
        };
        let mut child = cmd
            .args(["-v", "sensor", "run", "--duration", "120", "-o"])
            .arg(&alerts)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut l = sink.lock().unwrap();
                l.push_str(&strip_ansi(&line));
                l.push('\n');
            }
        });
        let mut s = Sensor {
            child,
            dir,
            alerts,
            listen: None,
            log,
            reader: Some(reader),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let log = s.log.lock().unwrap().clone();
            if log.contains("sensor: collecting") {
                s.listen = log
                    .lines()
                    .find(|l| l.contains("sensor: serving"))
                    .and_then(|l| l.split("addr=").nth(1))
                    .map(|a| a.split_whitespace().next().unwrap_or_default().to_string());
                break;
            }
            if Instant::now() > deadline || s.child.try_wait().unwrap().is_some() {
                let _ = s.child.kill();
                panic!("sensor did not start:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        s
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub fn read_alerts(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.alerts)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Alerts once `done` holds for them (or the timeout passed), plus a second for more.
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + timeout;
        while !done(&self.read_alerts()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
        std::thread::sleep(Duration::from_secs(1));
        self.read_alerts()
    }

    /// SIGTERM, wait, and the whole log.
    pub fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        self.log()
    }
}

impl Drop for Sensor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GET over HTTP/1.0: (status, body).
pub fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    let status = buf
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = buf
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

/// Starts `palisade -v sensor run --duration SECS -o ALERTS` and waits until it collects;
/// returns the process and a thread that returns its whole log once it exits.
pub fn spawn_sensor(alerts: &Path, secs: &str) -> (Child, std::thread::JoinHandle<String>) {
    let mut sensor = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["-v", "sensor", "run", "--duration", secs, "-o"])
        .arg(alerts)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = sensor.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let log = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("sensor: collecting") {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    if rx.recv_timeout(Duration::from_secs(60)).is_err() {
        let _ = sensor.kill();
        panic!("sensor did not start:\n{}", log.join().unwrap());
    }
    (sensor, log)
}
