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

/// Collects every decodable record for `secs` seconds while `work` runs (on this thread,
/// before collection starts: the ring buffer keeps what it produced).
fn collect(collector: &Collector, secs: u64) -> Vec<NodeEvent> {
    let mut seen = Vec::new();
    collector
        .run(
            Some(Instant::now() + Duration::from_secs(secs)),
            &|| false,
            &mut |b| {
                if let Ok(e) = decode(b) {
                    seen.push(e);
                }
            },
            &mut |_| {},
        )
        .unwrap();
    seen
}

fn sh(script: &str) -> u32 {
    let mut child = Command::new("/bin/bash")
        .arg("-c")
        .arg(script)
        .spawn()
        .unwrap();
    let pid = child.id();
    assert!(child.wait().unwrap().success(), "{script}");
    pid
}

/// The pids of `root` and all its descendants among the exec events.
fn family(seen: &[NodeEvent], root: u32) -> Vec<u32> {
    let mut pids = vec![root];
    loop {
        let more: Vec<u32> = seen
            .iter()
            .filter(|e| pids.contains(&e.ppid) && !pids.contains(&e.pid))
            .map(|e| e.pid)
            .collect();
        if more.is_empty() {
            return pids;
        }
        pids.extend(more);
    }
}

#[test]
fn collector_sees_file_namespace_and_socket_events() {
    use std::io::{Read, Write};
    let collector = Collector::load().expect("loading the eBPF programs (run as root)");
    let tag = std::process::id();
    let dir = format!("/usr/local/share/pal-live-{tag}");
    // Files below a system directory: create, rename, chmod +x (path and fd), delete with an
    // absolute and with a relative path, rmdir.
    let files = sh(&format!(
        "set -e; mkdir -p {dir}; touch {dir}/a; mv {dir}/a {dir}/b; chmod 755 {dir}/b; \
         perl -e 'open(my $f, \"<\", \"{dir}/b\") or die; chmod 0700, $f or die'; \
         cd {dir} && rm b && touch c && rm ./c && mkdir -p sub && touch sub/d && cd / && \
         rm -r {dir}/sub && rmdir {dir}; \
         touch /tmp/pal-live-{tag}.history && : > /tmp/pal-live-{tag}.history && \
         rm /tmp/pal-live-{tag}.history"
    ));
    // Namespaces and a mount inside a new mount namespace.
    let ns = sh("unshare -m sh -c 'mount -t tmpfs paltest /mnt && umount /mnt'");
    // Fileless: a memfd holding /bin/true, executed through /proc/self/fd.
    let memfd = sh(
        "perl -e 'my $n = \"pal\"; my $fd = syscall(319, $n, 0); die \"memfd $!\" if $fd < 0; \
         open(my $fh, \">&=\", $fd) or die; select($fh); $| = 1; open(my $in, \"<\", \"/bin/true\") or die; \
         local $/; my $b = <$in>; print $fh $b; exec {\"/proc/self/fd/$fd\"} \"true\" or die'",
    );
    // setgid and capset.
    let ids = sh("setpriv --regid 0 --keep-groups --inh-caps -all true");
    // accept: a connection to our own listener; AF_UNIX connect to a *.sock.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let client = sh(&format!("exec 3<>/dev/tcp/127.0.0.1/{port}; echo x >&3"));
    let (mut conn, peer) = listener.accept().unwrap();
    let mut buf = [0u8; 2];
    let _ = conn.read(&mut buf);
    let sock = format!("/tmp/pal-live-{tag}.sock");
    let _ = std::fs::remove_file(&sock);
    let ul = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let mut uc = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    uc.write_all(b"x").unwrap();
    drop((ul, uc));
    std::fs::remove_file(&sock).unwrap();
    // bpf(): a second collector loads its programs from this process.
    drop(Collector::load().unwrap());

    let seen = collect(&collector, 3);
    let me = std::process::id();
    let of = |root: u32, kind: Kind| -> Vec<&NodeEvent> {
        let pids = family(&seen, root);
        seen.iter()
            .filter(|e| e.kind == kind && pids.contains(&e.pid))
            .collect()
    };
    let paths =
        |evs: &[&NodeEvent]| -> Vec<String> { evs.iter().filter_map(|e| e.path.clone()).collect() };

    let renames = of(files, Kind::Rename);
    assert!(
        renames
            .iter()
            .any(|e| e.path.as_deref() == Some(&format!("{dir}/a"))
                && e.path2.as_deref() == Some(&format!("{dir}/b"))),
        "{renames:?}"
    );
    let chmods = of(files, Kind::Chmod);
    assert!(chmods
        .iter()
        .any(|e| e.path.as_deref() == Some(&format!("{dir}/b")) && e.a0 & 0o777 == 0o755));
    // fchmod: the path comes from the file's dentries (within its mount).
    assert!(
        chmods.iter().any(|e| e.a1 == 91
            && e.a0 == 0o700
            && e.path
                .as_deref()
                .is_some_and(|p| p.ends_with(&format!("pal-live-{tag}/b")))),
        "{chmods:?}"
    );
    let unlinks = paths(&of(files, Kind::Unlink));
    // rm -r deletes with unlinkat(<fd of the directory>, "d"): resolved with that descriptor.
    for p in [
        format!("{dir}/b"),
        format!("{dir}/c"),
        format!("{dir}/sub/d"),
        format!("{dir}/sub"),
        dir.clone(),
    ] {
        assert!(unlinks.contains(&p), "{p} not in {unlinks:?}");
    }
    assert!(
        unlinks.contains(&format!("/tmp/pal-live-{tag}.history")),
        "{unlinks:?}"
    );
    // Truncation of a history file (outside the watched directories) is an open event.
    assert!(of(files, Kind::Open).iter().any(|e| e.path.as_deref()
        == Some(&format!("/tmp/pal-live-{tag}.history"))
        && e.a0 & 0o1000 != 0));

    let nss = of(ns, Kind::Namespace);
    assert!(
        nss.iter().any(|e| e.a1 == 272 && e.a0 & 0x20000 != 0),
        "{nss:?}"
    );
    let mounts = of(ns, Kind::Mount);
    assert!(
        mounts.iter().any(|e| e.path.as_deref() == Some("/mnt")
            && e.path2.as_deref() == Some("paltest")
            && e.fstype.as_deref() == Some("tmpfs")),
        "{mounts:?}"
    );
    assert!(of(ns, Kind::Umount)
        .iter()
        .any(|e| e.path.as_deref() == Some("/mnt")));

    assert!(of(memfd, Kind::Memfd)
        .iter()
        .any(|e| e.path.as_deref() == Some("pal")));
    let execs = of(memfd, Kind::Exec);
    let fileless = execs
        .iter()
        .find(|e| {
            e.path
                .as_deref()
                .is_some_and(|p| p.starts_with("/proc/self/fd/"))
        })
        .expect("exec of the memfd");
    assert!(fileless.exe_from_memfd && !fileless.exe_upper_layer);
    assert!(execs
        .iter()
        .filter(|e| e.path.as_deref() == Some("/usr/bin/perl"))
        .all(|e| !e.exe_from_memfd && e.a2 > 0));

    let setgids = of(ids, Kind::Setgid);
    assert!(
        setgids
            .iter()
            .any(|e| e.a0 == 0 && [106, 114, 119].contains(&e.a1)),
        "{setgids:?}"
    );
    assert!(!of(ids, Kind::Capset).is_empty());

    let accepts: Vec<&NodeEvent> = seen
        .iter()
        .filter(|e| e.kind == Kind::Accept && e.pid == me)
        .collect();
    assert!(
        accepts.iter().any(|e| e.addr == Some(peer.ip())
            && e.a1 == i64::from(peer.port())
            && e.laddr == Some("127.0.0.1".parse().unwrap())
            && e.a2 == i64::from(port)),
        "{accepts:?}"
    );
    let _ = client;
    assert!(seen.iter().any(|e| e.kind == Kind::Connect
        && e.pid == me
        && e.a0 == 1
        && e.path.as_deref() == Some(sock.as_str())));
    let bpf: Vec<i64> = seen
        .iter()
        .filter(|e| e.kind == Kind::Bpf && e.pid == me)
        .map(|e| e.a0)
        .collect();
    assert!(bpf.contains(&5), "BPF_PROG_LOAD in {bpf:?}");
    assert_eq!(collector.drops().unwrap().total(), 0);
}

/// Records reach user space while the collector runs, not only when it stops: the kernel side
/// submits without waking user space, so the collector must read the ring on its own. The child
/// starts from the first tick, after polling has begun.
#[test]
fn records_are_read_while_running_not_only_at_the_end() {
    let collector = Collector::load().expect("loading the eBPF programs (run as root)");
    let pid = std::cell::Cell::new(0u32);
    let seen = std::cell::Cell::new(false);
    let start = Instant::now();
    let until = start + Duration::from_secs(20);
    collector
        .run(
            Some(until),
            &|| seen.get(),
            &mut |b| {
                if let Ok(e) = decode(b) {
                    if e.kind == Kind::Exec && pid.get() != 0 && e.pid == pid.get() {
                        seen.set(true);
                    }
                }
            },
            &mut |_| {
                if pid.get() == 0 {
                    let mut child = Command::new("/bin/true").spawn().unwrap();
                    pid.set(child.id());
                    child.wait().unwrap();
                }
            },
        )
        .unwrap();
    assert!(seen.get(), "the exec was never read");
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "the exec was only read when the collector stopped ({:?})",
        start.elapsed()
    );
}
