//! The fuzz seeds for `sensor_record` (fuzz/seeds/sensor_record/) are real records in the
//! kernel's layout: each decodes to the event it is named after. `PALISADE_WRITE_SEEDS=1`
//! rewrites them from the events below.

use palisade_sensor::decode::{decode, encode};
use palisade_sensor::{Kind, NodeEvent};

fn events() -> Vec<(&'static str, NodeEvent)> {
    let id = "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592";
    let base = |kind, comm: &str| NodeEvent {
        kind,
        pid: 4242,
        tid: 4242,
        ppid: 4200,
        uid: 0,
        gid: 0,
        ts_ns: 1_000_000,
        cgroup_id: 7,
        comm: comm.into(),
        pcomm: "sh".into(),
        cgroups: vec![id.into(), "docker".into(), String::new()],
        path: None,
        args: vec![],
        cwd: None,
        args_truncated: false,
        a0: 0,
        a1: 0,
        addr: None,
    };
    let mut exec = base(Kind::Exec, "cat");
    exec.path = Some("/usr/bin/cat".into());
    exec.args = vec!["cat".into(), "/etc/shadow".into()];
    exec.a0 = 16;
    exec.cwd = Some("/srv/app".into());
    let mut open = base(Kind::Open, "touch");
    open.path = Some("/etc/x".into());
    open.a0 = 0o4501;
    open.a1 = 0o666;
    let mut connect = base(Kind::Connect, "bash");
    connect.addr = Some("::1".parse().unwrap());
    connect.a0 = 10;
    connect.a1 = 4444;
    let mut connect4 = base(Kind::Connect, "xmrig");
    connect4.addr = Some("127.0.0.1".parse().unwrap());
    connect4.a0 = 2;
    connect4.a1 = 3333;
    let mut exit = base(Kind::Exit, "cat");
    exit.a0 = 1;
    let mut ptrace = base(Kind::Ptrace, "inject");
    ptrace.a0 = 16;
    ptrace.a1 = 1;
    let mut setuid = base(Kind::Setuid, "exploit");
    setuid.uid = 1000;
    setuid.a1 = 105;
    let mut module = base(Kind::Module, "insmod");
    module.a0 = 313;
    vec![
        ("exec", exec),
        ("open", open),
        ("connect6", connect),
        ("connect4", connect4),
        ("exit", exit),
        ("ptrace", ptrace),
        ("setuid", setuid),
        ("module", module),
    ]
}

#[test]
fn seeds_decode_to_their_events() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/seeds/sensor_record"
    );
    let write = std::env::var_os("PALISADE_WRITE_SEEDS").is_some();
    for (name, ev) in events() {
        let path = format!("{dir}/{name}.bin");
        if write {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(&path, encode(&ev)).unwrap();
        }
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(decode(&bytes).unwrap(), ev, "{name}");
    }
}
