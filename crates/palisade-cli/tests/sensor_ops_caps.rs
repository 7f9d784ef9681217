//! The sensor's minimal privileges, measured: uid 0 with the capability bounding set cut to
//! CAP_BPF + CAP_PERFMON (eBPF) plus CAP_SYS_PTRACE (to read /proc/<pid>/exe and cwd of
//! processes of other users), nothing else (no CAP_SYS_ADMIN, not privileged), sees a
//! container's exec with its attribution; without CAP_BPF the default collector falls back to
//! netlink and says so, and a forced eBPF collector fails with a clear error. Whether the
//! process connector needs CAP_NET_ADMIN depends on the kernel build: the netlink tests grant
//! it, and the one that withholds it asks the kernel first (a probe independent of the
//! sensor's code) and asserts what the sensor must do on that kernel. Uses `setpriv`
//! (util-linux) and python3. Needs root, a BTF kernel, dockerd and the test rootfs; never
//! skips.

mod sensor_support;

use std::process::Command;
use std::time::Duration;

use sensor_support::{docker, ensure_image, Containers, Sensor, IMAGE};

const CAP_NET_ADMIN: u32 = 12;
const CAP_SYS_PTRACE: u32 = 19;
const CAP_PERFMON: u32 = 38;
const CAP_BPF: u32 = 39;

/// `sensor run` under setpriv with only `caps` in the bounding set.
fn start_with(caps: &[&str], args: &[&str]) -> Sensor {
    let setpriv = Command::new("setpriv").arg("--version").output();
    assert!(
        setpriv.is_ok_and(|o| o.status.success()),
        "setpriv (util-linux) is needed"
    );
    let bounding = format!(
        "--bounding-set=-all{}",
        caps.iter().map(|c| format!(",+{c}")).collect::<String>()
    );
    Sensor::start_wrapped(
        tempfile::tempdir().unwrap(),
        &["setpriv", &bounding, "--inh-caps=-all", "--"],
        args,
    )
}

fn effective_caps(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let hex = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .unwrap()
        .trim();
    u64::from_str_radix(hex, 16).unwrap()
}

/// Runs a shell as uid 1000 in a container; the shell alert for it.
fn shell_as_user(sensor: &Sensor, name: &str) -> serde_json::Value {
    let _c = Containers(vec![name.to_string()]);
    let (ok, out) = docker(&[
        "run",
        "--name",
        name,
        "--user",
        "1000",
        "--network",
        "none",
        // A terminal: the shell is an interactive one, which PAL-NODE-001 reports.
        "-t",
        IMAGE,
        "sh",
        "-c",
        "sleep 1",
    ]);
    assert!(ok, "{out}");
    let (_, id) = docker(&["inspect", "-f", "{{.Id}}", name]);
    let alerts = sensor.wait_for(Duration::from_secs(20), |a| {
        a.iter()
            .any(|x| x["rule_id"] == "PAL-NODE-001" && x["container"]["id"] == id.as_str())
    });
    let shell = alerts
        .iter()
        .find(|x| x["rule_id"] == "PAL-NODE-001" && x["container"]["id"] == id.as_str())
        .unwrap_or_else(|| panic!("no shell alert:\n{}", sensor.log()));
    assert_eq!(shell["container"]["name"], name);
    assert_eq!(shell["process"]["uid"], 1000);
    shell.clone()
}

fn has_exepath(alert: &serde_json::Value) -> bool {
    alert["process"]["exepath"]
        .as_str()
        .is_some_and(|p| p.starts_with("/usr/bin/"))
}

#[test]
fn ebpf_with_bpf_perfmon_and_sys_ptrace_only() {
    ensure_image();
    let sensor = start_with(&["bpf", "perfmon", "sys_ptrace"], &["--collector", "ebpf"]);
    assert_eq!(
        effective_caps(sensor.pid()),
        1 << CAP_BPF | 1 << CAP_PERFMON | 1 << CAP_SYS_PTRACE
    );
    let shell = shell_as_user(
        &sensor,
        &format!("pal-ops-{}-caps-ebpf", std::process::id()),
    );
    assert!(has_exepath(&shell), "{shell}");
    sensor.stop();
}

#[test]
fn without_cap_bpf_auto_falls_back_to_netlink() {
    ensure_image();
    // The default collector (auto): eBPF cannot load, the sensor says so and keeps running.
    let sensor = start_with(&["sys_ptrace", "net_admin"], &[]);
    assert_eq!(
        effective_caps(sensor.pid()),
        1 << CAP_SYS_PTRACE | 1 << CAP_NET_ADMIN
    );
    let log = sensor.log();
    assert!(
        log.contains("eBPF unavailable") && log.contains("falling back to the netlink"),
        "{log}"
    );
    assert!(
        log.contains("CAP_BPF"),
        "the missing capability is named: {log}"
    );
    assert!(
        log.contains("collector=\"netlink\"") || log.contains("collector=netlink"),
        "{log}"
    );
    let shell = shell_as_user(
        &sensor,
        &format!("pal-ops-{}-caps-netlink", std::process::id()),
    );
    assert!(has_exepath(&shell), "{shell}");
    sensor.stop();
}

/// Asks the kernel, without the sensor's code, whether a process holding only
/// CAP_SYS_PTRACE may listen to the process connector: bind to `CN_IDX_PROC`, send
/// `PROC_CN_MCAST_LISTEN`, read the acknowledgement's errno.
fn kernel_lets_proc_connector_listen_without_net_admin() -> bool {
    const PROBE: &str = r#"
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 11)
try:
    s.bind((0, 1))
except PermissionError:
    print("refused"); sys.exit()
port = s.getsockname()[0]
s.send(struct.pack("=IHHII", 40, 3, 0, 0, port) + struct.pack("=IIIIHHI", 1, 1, 0, 0, 4, 0, 1))
s.settimeout(2)
try:
    while True:
        d = s.recv(65536)
        if len(d) >= 56 and struct.unpack_from("=I", d, 36)[0] == 0:
            print("refused" if struct.unpack_from("=I", d, 52)[0] else "allowed"); break
except socket.timeout:
    print("silent")
"#;
    let out = Command::new("setpriv")
        .args(["--bounding-set=-all,+sys_ptrace", "--inh-caps=-all", "--"])
        .args(["python3", "-c", PROBE])
        .output()
        .expect("setpriv and python3");
    let answer = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success() && ["allowed", "refused", "silent"].contains(&answer.as_str()),
        "probe: {answer} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    answer != "refused"
}

/// Without CAP_BPF and CAP_NET_ADMIN, what happens is the kernel's choice: where the process
/// connector is open to every process, the fallback runs; where it is not, the sensor stops
/// with an error that names both missing capabilities instead of running blind.
#[test]
fn without_cap_bpf_or_net_admin_the_kernel_decides() {
    ensure_image();
    if kernel_lets_proc_connector_listen_without_net_admin() {
        let sensor = start_with(&["sys_ptrace"], &[]);
        assert_eq!(effective_caps(sensor.pid()), 1 << CAP_SYS_PTRACE);
        let shell = shell_as_user(
            &sensor,
            &format!("pal-ops-{}-caps-open-connector", std::process::id()),
        );
        assert!(has_exepath(&shell), "{shell}");
        sensor.stop();
    } else {
        for collector in ["auto", "netlink"] {
            let out = Command::new("setpriv")
                .args(["--bounding-set=-all,+sys_ptrace", "--inh-caps=-all", "--"])
                .arg(env!("CARGO_BIN_EXE_palisade"))
                .args(["sensor", "run", "--collector", collector, "--duration", "5"])
                .output()
                .expect("setpriv (util-linux)");
            assert!(!out.status.success(), "{collector}: the sensor ran blind");
            let err = sensor_support::strip_ansi(&String::from_utf8_lossy(&out.stderr));
            assert!(err.contains("CAP_NET_ADMIN"), "{collector}: {err}");
            if collector == "auto" {
                assert!(err.contains("no event collector could start"), "{err}");
                assert!(err.contains("CAP_BPF"), "{err}");
            }
        }
    }
}

#[test]
fn ebpf_without_cap_bpf_is_a_clear_error() {
    let out = Command::new("setpriv")
        .args([
            "--bounding-set=-all,+perfmon,+sys_ptrace",
            "--inh-caps=-all",
            "--",
        ])
        .arg(env!("CARGO_BIN_EXE_palisade"))
        .args(["sensor", "run", "--collector", "ebpf", "--duration", "1"])
        .output()
        .expect("setpriv (util-linux)");
    assert!(!out.status.success());
    let err = sensor_support::strip_ansi(&String::from_utf8_lossy(&out.stderr));
    assert!(err.contains("starting the eBPF collector"), "{err}");
    assert!(err.contains("CAP_BPF"), "{err}");
}

/// Why CAP_SYS_PTRACE: without it /proc/<pid>/exe of another user's process is unreadable,
/// so the netlink collector (which reads it) loses the executable path.
#[test]
fn netlink_without_sys_ptrace_loses_the_executable() {
    ensure_image();
    let sensor = start_with(&["net_admin"], &["--collector", "netlink"]);
    assert_eq!(effective_caps(sensor.pid()), 1 << CAP_NET_ADMIN);
    let shell = shell_as_user(
        &sensor,
        &format!("pal-ops-{}-caps-none", std::process::id()),
    );
    assert!(!has_exepath(&shell), "{shell}");
    sensor.stop();
}
