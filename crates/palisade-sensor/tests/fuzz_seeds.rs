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
        tty: 34816,
        loginuid: u32::MAX,
        cap_effective: 0xa80425fb,
        cap_permitted: 0xa80425fb,
        ..NodeEvent::default()
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
    let mut drift = exec.clone();
    drift.path = Some("/tmp/payload".into());
    drift.exe_upper_layer = true;
    drift.a1 = 1;
    drift.a2 = 917_505;
    let mut fileless = exec.clone();
    fileless.path = Some("/proc/self/fd/3".into());
    fileless.exe_from_memfd = true;
    fileless.a1 = 2;
    let mut unlink = base(Kind::Unlink, "rm");
    unlink.path = Some("/root/.bash_history".into());
    unlink.a1 = 263;
    let mut rename = base(Kind::Rename, "mv");
    rename.path = Some("/tmp/ls".into());
    rename.path2 = Some("/usr/bin/ls".into());
    rename.a1 = 316;
    let mut chmod = base(Kind::Chmod, "chmod");
    chmod.path = Some("/tmp/payload".into());
    chmod.a0 = 0o755;
    chmod.a1 = 268;
    let mut mount = base(Kind::Mount, "mount");
    mount.path = Some("/mnt".into());
    mount.path2 = Some("/dev/vda1".into());
    mount.fstype = Some("ext4".into());
    mount.a1 = 165;
    let mut umount = base(Kind::Umount, "umount");
    umount.path = Some("/mnt".into());
    umount.a1 = 166;
    let mut unshare = base(Kind::Namespace, "unshare");
    unshare.a0 = 0x2002_0000;
    unshare.a1 = 272;
    let mut setns = base(Kind::Namespace, "nsenter");
    setns.a1 = 308;
    setns.a2 = 3;
    let mut bpf = base(Kind::Bpf, "bpftool");
    bpf.a0 = 5;
    bpf.a1 = 321;
    let mut capset = base(Kind::Capset, "exploit");
    capset.a0 = 1 << 21;
    capset.a1 = 1 << 21;
    let mut setgid = base(Kind::Setgid, "exploit");
    setgid.uid = 1000;
    setgid.a1 = 106;
    let mut accept = base(Kind::Accept, "nc");
    accept.addr = Some("127.0.0.1".parse().unwrap());
    accept.laddr = Some("127.0.0.1".parse().unwrap());
    accept.a0 = 2;
    accept.a1 = 51234;
    accept.a2 = 4444;
    accept.a3 = 288;
    let mut unix = base(Kind::Connect, "curl");
    unix.path = Some("/var/run/docker.sock".into());
    unix.a0 = 1;
    let mut memfd = base(Kind::Memfd, "perl");
    memfd.path = Some("x".into());
    memfd.a1 = 319;
    vec![
        ("exec", exec),
        ("exec_drift", drift),
        ("exec_memfd", fileless),
        ("unlink", unlink),
        ("rename", rename),
        ("chmod", chmod),
        ("mount", mount),
        ("umount", umount),
        ("unshare", unshare),
        ("setns", setns),
        ("bpf", bpf),
        ("capset", capset),
        ("setgid", setgid),
        ("accept4", accept),
        ("connect_unix", unix),
        ("memfd", memfd),
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
