//! End to end, the sensor's operations side against real containers: the Prometheus and
//! health endpoints of a real run, alert de-duplication, and the netlink fallback collector.
//! Needs root, a BTF kernel, dockerd (`tests/images/start-dockerd.sh`) and the test rootfs
//! (`tests/images/build.sh`); a missing piece fails the test, it never skips.

mod sensor_support;

use std::time::Duration;

use sensor_support::{docker, ensure_image, http_get, Containers, Sensor, IMAGE};

#[test]
fn metrics_health_and_dedup_on_a_real_run() {
    ensure_image();
    let sensor = Sensor::start(&["--listen", "127.0.0.1:0", "--dedup-window", "3s"]);
    let addr = sensor.listen.clone().expect("listen address logged");
    let (code, body) = http_get(&addr, "/readyz");
    assert_eq!(code, 200, "{body}");
    let (code, _) = http_get(&addr, "/healthz");
    assert_eq!(code, 200);

    // Three reads of /etc/shadow at once, then one more after the window.
    let tag = std::process::id();
    let name = format!("pal-ops-{tag}-dedup");
    let _c = Containers(vec![name.clone()]);
    let (ok, out) = docker(&[
        "run",
        "--name",
        &name,
        "--network",
        "none",
        IMAGE,
        "sh",
        "-c",
        "cat /etc/shadow >/dev/null; cat /etc/shadow >/dev/null; cat /etc/shadow >/dev/null; \
         sleep 4; cat /etc/shadow >/dev/null",
    ]);
    assert!(ok, "{out}");
    let (_, id) = docker(&["inspect", "-f", "{{.Id}}", &name]);
    let alerts = sensor.wait_for(Duration::from_secs(20), |alerts| {
        alerts
            .iter()
            .filter(|a| a["rule_id"] == "PAL-NODE-011" && a["container"]["id"] == id.as_str())
            .count()
            >= 2
    });
    let shadow: Vec<_> = alerts
        .iter()
        .filter(|a| a["rule_id"] == "PAL-NODE-011" && a["container"]["id"] == id.as_str())
        .collect();
    assert_eq!(shadow.len(), 2, "{shadow:#?}");
    assert!(shadow[0].get("suppressed").is_none(), "{}", shadow[0]);
    assert_eq!(shadow[1]["suppressed"], 2, "{}", shadow[1]);
    assert_eq!(shadow[1]["container"]["name"], name.as_str());

    let (code, text) = http_get(&addr, "/metrics");
    assert_eq!(code, 200);
    let sample = |series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("{series} missing:\n{text}"))
    };
    assert!(sample("palisade_sensor_events_total{type=\"exec\"}") >= 5.0);
    assert!(sample("palisade_sensor_events_total{type=\"open\"}") >= 4.0);
    assert_eq!(sample("palisade_sensor_drops_total{type=\"exec\"}"), 0.0);
    assert!(sample("palisade_sensor_rule_hits_total{rule=\"PAL-NODE-011\"}") >= 4.0);
    assert!(sample("palisade_sensor_alerts_suppressed_dedup_total") >= 2.0);
    // The two shadow alerts (the entry-point shell is no alert).
    assert!(sample("palisade_sensor_alerts_emitted_total") >= 2.0);
    assert!(sample("palisade_sensor_processes") >= 1.0);
    assert_eq!(sample("palisade_sensor_collector{kind=\"ebpf\"}"), 1.0);
    assert_eq!(sample("palisade_sensor_collector{kind=\"netlink\"}"), 0.0);
    // Every sample line is `series value`, every family typed.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap();
        let family = series.split('{').next().unwrap();
        assert!(
            text.contains(&format!("# TYPE {family} ")),
            "untyped {family}"
        );
        value.parse::<f64>().unwrap();
    }
    let log = sensor.stop();
    assert!(log.contains("sensor: stopped"), "{log}");
    // Stopped: the endpoints are gone with the process.
    assert!(std::net::TcpStream::connect(&addr).is_err());
}

#[test]
fn netlink_collector_sees_a_container_shell() {
    ensure_image();
    let sensor = Sensor::start(&["--collector", "netlink", "--listen", "127.0.0.1:0"]);
    let tag = std::process::id();
    let name = format!("pal-ops-{tag}-netlink");
    let _c = Containers(vec![name.clone()]);
    let (ok, out) = docker(&[
        "run",
        "--name",
        &name,
        "--network",
        "none",
        "-t",
        IMAGE,
        "sh",
        "-c",
        "sleep 2; cat /etc/shadow >/dev/null",
    ]);
    assert!(ok, "{out}");
    let (_, id) = docker(&["inspect", "-f", "{{.Id}}", &name]);
    let alerts = sensor.wait_for(Duration::from_secs(20), |alerts| {
        alerts
            .iter()
            .any(|a| a["rule_id"] == "PAL-NODE-001" && a["container"]["id"] == id.as_str())
    });
    let shell = alerts
        .iter()
        .find(|a| a["rule_id"] == "PAL-NODE-001" && a["container"]["id"] == id.as_str())
        .unwrap_or_else(|| panic!("no shell alert: {alerts:#?}"));
    assert_eq!(shell["container"]["name"], name.as_str());
    assert_eq!(shell["container"]["image"], IMAGE);
    assert_eq!(shell["process"]["name"], "sh");
    assert_eq!(
        shell["process"]["args"][2],
        "sleep 2; cat /etc/shadow >/dev/null"
    );
    assert_eq!(shell["evidence"]["kind"], "exec");
    let addr = sensor.listen.clone().unwrap();
    let (_, text) = http_get(&addr, "/metrics");
    assert!(
        text.contains("palisade_sensor_collector{kind=\"netlink\"} 1"),
        "{text}"
    );
    // The /etc/shadow read needs open events: not seen, and said so at start.
    assert!(!alerts
        .iter()
        .any(|a| a["rule_id"] == "PAL-NODE-011" && a["container"]["id"] == id.as_str()));
    let log = sensor.stop();
    let warn = log
        .lines()
        .find(|l| l.contains("rule(s) need events other than exec and exit"))
        .unwrap_or_else(|| panic!("no lost-rules warning:\n{log}"));
    assert!(warn.contains("PAL-NODE-011"), "{warn}");
    assert!(!warn.contains("PAL-NODE-001,"), "{warn}");
}
