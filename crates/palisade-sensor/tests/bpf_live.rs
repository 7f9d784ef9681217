//! The kernel side for real (root, BTF kernel): load and attach the programs, run a child
//! process, and find its exec (path, argv, cwd, parent), its open of a watched file, its
//! connect and its exit in the ring buffer; the drop counters are readable and zero.

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use palisade_sensor::bpf::Collector;
use palisade_sensor::{decode, Kind, NodeEvent};

#[test]
fn collector_sees_a_child_process() {
    let collector = Collector::load().expect("loading the eBPF programs (run as root)");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let child = Command::new("/bin/bash")
        .arg("-c")
        .arg(format!(
            "cat /etc/hostname >/dev/null; exec 3<>/dev/tcp/127.0.0.1/{port}"
        ))
        .current_dir("/usr/share")
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut child = child;
    child.wait().unwrap();
    let mut seen: Vec<NodeEvent> = Vec::new();
    let until = Instant::now() + Duration::from_secs(3);
    collector
        .run(
            Some(until),
            &|| false,
            &mut |b| {
                if let Ok(e) = decode(b) {
                    seen.push(e);
                }
            },
            &mut |_| {},
        )
        .unwrap();
    let bash_exec = seen
        .iter()
        .find(|e| e.kind == Kind::Exec && e.pid == pid)
        .expect("exec of the child");
    assert_eq!(bash_exec.path.as_deref(), Some("/bin/bash"));
    assert_eq!(bash_exec.args[0], "/bin/bash");
    assert_eq!(bash_exec.args[1], "-c");
    assert_eq!(bash_exec.cwd.as_deref(), Some("/usr/share"));
    assert_eq!(bash_exec.ppid, std::process::id());
    let cat = seen
        .iter()
        .find(|e| e.kind == Kind::Exec && e.ppid == pid && e.comm == "cat")
        .expect("exec of cat");
    assert_eq!(cat.args, ["cat", "/etc/hostname"]);
    assert!(seen.iter().any(|e| e.kind == Kind::Open
        && e.pid == cat.pid
        && e.path.as_deref() == Some("/etc/hostname")));
    let conn = seen
        .iter()
        .find(|e| e.kind == Kind::Connect && e.pid == pid)
        .expect("connect of the child");
    assert_eq!(conn.addr, Some("127.0.0.1".parse().unwrap()));
    assert_eq!(conn.a1, i64::from(port));
    assert!(seen.iter().any(|e| e.kind == Kind::Exit && e.pid == pid));
    assert_eq!(collector.drops().unwrap().total(), 0);
}
