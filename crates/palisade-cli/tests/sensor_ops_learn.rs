//! End to end: anomaly learning (`--learn --baseline DIR`, then enforce after a restart) and
//! drift policies (`--drift-policy`), on real containers with the real eBPF collector.
//! Needs root, a BTF kernel, dockerd and the test rootfs; never skips.

mod sensor_support;

use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use sensor_support::{docker, ensure_image, http_get, Containers, Sensor, IMAGE};
use serde_json::Value;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sensor_ops_fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Runs a container to completion; returns its id.
fn run(name: &str, net: &str, script: &str) -> String {
    let (ok, out) = docker(&[
        "run",
        "--name",
        name,
        "--network",
        net,
        IMAGE,
        "bash",
        "-c",
        script,
    ]);
    assert!(ok, "{name}: {out}");
    let (ok, id) = docker(&["inspect", "-f", "{{.Id}}", name]);
    assert!(ok, "{id}");
    id
}

fn of<'a>(alerts: &'a [Value], id: &str, rule: &str) -> Vec<&'a Value> {
    alerts
        .iter()
        .filter(|a| a["container"]["id"] == id && a["rule_id"] == rule)
        .collect()
}

#[test]
fn learned_baseline_survives_a_restart_and_flags_new_behaviour() {
    ensure_image();
    let base = tempfile::tempdir().unwrap();
    let baseline = base.path().join("baseline");
    let known = TcpListener::bind("127.0.0.1:0").unwrap();
    let known_port = known.local_addr().unwrap().port();
    let other = TcpListener::bind("127.0.0.1:0").unwrap();
    let other_port = other.local_addr().unwrap().port();
    let tag = std::process::id();
    let usual = format!("ls / >/dev/null; exec 3<>/dev/tcp/127.0.0.1/{known_port}; echo hi >&3");
    let b = baseline.display().to_string();

    // 1. Learn.
    let sensor = Sensor::start(&["--learn", "--baseline", &b]);
    let learn_name = format!("pal-ops-{tag}-learn");
    let _c1 = Containers(vec![learn_name.clone()]);
    let learn_id = run(&learn_name, "host", &usual);
    std::thread::sleep(Duration::from_secs(2));
    let alerts = sensor.read_alerts();
    let log = sensor.stop();
    assert!(
        !alerts.iter().any(|a| a["rule_id"]
            .as_str()
            .is_some_and(|r| r.starts_with("PAL-NODE-ANOM"))),
        "no anomalies while learning"
    );
    assert!(log.contains("baseline saved"), "{log}");
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(baseline.join("baseline.json")).unwrap())
            .unwrap();
    let (_, digest) = docker(&["inspect", "-f", "{{.Image}}", &learn_id]);
    let profile = &saved["images"][digest.as_str()];
    let exes: Vec<&str> = profile["executables"]
        .as_array()
        .unwrap_or_else(|| panic!("{digest} not learned: {saved}"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(exes.iter().any(|e| e.ends_with("/ls")), "{exes:?}");
    assert!(
        profile["destinations"]
            .as_array()
            .unwrap()
            .contains(&Value::from(format!("127.0.0.1:{known_port}"))),
        "{profile}"
    );

    // 2. Restart enforcing: the same behaviour is quiet, new behaviour raises anomalies.
    let sensor = Sensor::start(&["--baseline", &b, "--listen", "127.0.0.1:0"]);
    assert!(sensor.log().contains("baseline loaded"));
    let same = format!("pal-ops-{tag}-same");
    let new = format!("pal-ops-{tag}-new");
    let _c2 = Containers(vec![same.clone(), new.clone()]);
    let same_id = run(&same, "host", &usual);
    let new_id = run(
        &new,
        "host",
        &format!("{usual}; id >/dev/null; exec 4<>/dev/tcp/127.0.0.1/{other_port}; echo hi >&4"),
    );
    let alerts = sensor.wait_for(Duration::from_secs(20), |a| {
        !of(a, &new_id, "PAL-NODE-ANOM-001").is_empty()
            && !of(a, &new_id, "PAL-NODE-ANOM-002").is_empty()
    });
    let anomalies: Vec<&Value> = alerts
        .iter()
        .filter(|a| {
            a["rule_id"]
                .as_str()
                .is_some_and(|r| r.starts_with("PAL-NODE-ANOM"))
        })
        .collect();
    assert!(
        !anomalies
            .iter()
            .any(|a| a["container"]["id"] == same_id.as_str()),
        "same behaviour, no anomaly: {anomalies:#?}"
    );
    let exe = of(&alerts, &new_id, "PAL-NODE-ANOM-001");
    assert_eq!(exe.len(), 1, "{exe:#?}");
    assert!(exe[0]["process"]["exepath"]
        .as_str()
        .unwrap()
        .ends_with("/id"));
    assert_eq!(exe[0]["severity"], "LOW");
    assert_eq!(exe[0]["mitre"]["techniques"][0], "T1204");
    assert!(exe[0]["remediation"].as_str().unwrap().contains("--learn"));
    let dest = of(&alerts, &new_id, "PAL-NODE-ANOM-002");
    assert_eq!(dest.len(), 1, "{dest:#?}");
    assert_eq!(dest[0]["evidence"]["a1"], i64::from(other_port));
    assert!(dest[0]["message"]
        .as_str()
        .unwrap()
        .contains(&format!("127.0.0.1:{other_port}")));
    let (_, text) = http_get(sensor.listen.as_deref().unwrap(), "/metrics");
    assert!(text.contains("palisade_sensor_anomalies_total 2"), "{text}");
    sensor.stop();
    drop((known, other));
}

#[test]
fn drift_policy_allows_listed_executables_only() {
    ensure_image();
    let sensor = Sensor::start(&[
        "--no-builtin",
        "--rules",
        &fixture("drift-test-rules.yaml"),
        "--drift-policy",
        &fixture("drift-policy.yaml"),
        "--listen",
        "127.0.0.1:0",
    ]);
    let name = format!("pal-ops-{}-drift", std::process::id());
    let _c = Containers(vec![name.clone()]);
    let id = run(
        &name,
        "none",
        "cp /bin/true /tmp/agent-update-2 && /tmp/agent-update-2; \
         cp /bin/true /tmp/dropper && /tmp/dropper",
    );
    let alerts = sensor.wait_for(Duration::from_secs(20), |a| {
        of(a, &id, "TEST-TMP-002").len() >= 2 && !of(a, &id, "TEST-DRIFT-001").is_empty()
    });
    let drift: Vec<&str> = of(&alerts, &id, "TEST-DRIFT-001")
        .iter()
        .map(|a| a["process"]["exepath"].as_str().unwrap())
        .collect();
    assert_eq!(
        drift,
        vec!["/tmp/dropper"],
        "the allowed update is not a drift alert"
    );
    let mut tmp: Vec<&str> = of(&alerts, &id, "TEST-TMP-002")
        .iter()
        .map(|a| a["process"]["exepath"].as_str().unwrap())
        .collect();
    tmp.sort();
    assert_eq!(
        tmp,
        vec!["/tmp/agent-update-2", "/tmp/dropper"],
        "rules without the drift tag are not affected"
    );
    let (_, text) = http_get(sensor.listen.as_deref().unwrap(), "/metrics");
    assert!(
        text.contains("palisade_sensor_alerts_suppressed_drift_total 1"),
        "{text}"
    );
    sensor.stop();
}

#[test]
fn bad_drift_policy_is_rejected_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.yaml");
    std::fs::write(
        &policy,
        "allow:\n  - images: [x]\n    executables: [relative/path]\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "sensor",
            "run",
            "--collector",
            "netlink",
            "--duration",
            "1",
            "--drift-policy",
        ])
        .arg(&policy)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = sensor_support::strip_ansi(&String::from_utf8_lossy(&out.stderr));
    assert!(
        err.contains(&format!(
            "{}:3: executable \"relative/path\"",
            policy.display()
        )),
        "{err}"
    );
}
