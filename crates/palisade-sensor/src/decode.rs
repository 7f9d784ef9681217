//! Records from the kernel's ring buffer → [`NodeEvent`]. The layout is `struct pal_event` in
//! `bpf/sensor.bpf.c` (little-endian, fixed size). The bytes are treated as untrusted: every
//! string is bounded by its slot and cut at its first NUL, invalid UTF-8 is replaced, and a
//! short or unknown record is an error, never a panic.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

/// Size of one record.
pub const RECORD_SIZE: usize = 1568;
const CG_NAME: usize = 128;
const OFF_COMM: usize = 40;
const OFF_PCOMM: usize = 56;
const OFF_CG: usize = 72;
const OFF_A0: usize = 456;
const OFF_A1: usize = 464;
const OFF_ADDR: usize = 472;
const OFF_PATH: usize = 488;
const PATH_LEN: usize = 256;
const OFF_ARGS: usize = 744;
const ARGS_LEN: usize = 512;
const OFF_CWD: usize = 1256;
const CWD_PARTS: usize = 8;
const CWD_PART: usize = 32;
const OFF_A2: usize = 1512;
const OFF_A3: usize = 1520;
const OFF_ADDR2: usize = 1528;
const OFF_TTY: usize = 1544;
const OFF_LOGINUID: usize = 1548;
const OFF_CAP_EFFECTIVE: usize = 1552;
const OFF_CAP_PERMITTED: usize = 1560;

/// Exec flags (`a1` of an exec record): the executable is in the overlayfs upper layer.
pub const EXE_UPPER_LAYER: i64 = 1;
/// Exec flags: the executable is a memfd or a deleted shmem file.
pub const EXE_FROM_MEMFD: i64 = 2;

/// Address families as the kernel numbers them.
pub const AF_UNIX: i64 = 1;
pub const AF_INET: i64 = 2;
pub const AF_INET6: i64 = 10;

/// Longest argv kept (the kernel side already caps the bytes at 512).
pub const MAX_ARGS: usize = 128;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Exec,
    Exit,
    Open,
    Connect,
    Ptrace,
    Module,
    Setuid,
    /// unlink, unlinkat, rmdir (system directories and history files only).
    Unlink,
    /// rename, renameat, renameat2 (either path in a system directory or a history file).
    Rename,
    /// chmod, fchmod, fchmodat, fchmodat2 to a mode with an execute bit.
    Chmod,
    Mount,
    Umount,
    /// setns; unshare, clone and clone3 with a CLONE_NEW* flag.
    Namespace,
    /// bpf() loading or attaching programs, creating or pinning maps.
    Bpf,
    Capset,
    /// setgid, setregid, setresgid.
    Setgid,
    /// accept, accept4 that returned a connection (seen on exit).
    Accept,
    /// memfd_create.
    Memfd,
}

impl Kind {
    /// Every kind, in the kernel's numbering (1-based).
    pub const ALL: [Kind; 18] = [
        Kind::Exec,
        Kind::Exit,
        Kind::Open,
        Kind::Connect,
        Kind::Ptrace,
        Kind::Module,
        Kind::Setuid,
        Kind::Unlink,
        Kind::Rename,
        Kind::Chmod,
        Kind::Mount,
        Kind::Umount,
        Kind::Namespace,
        Kind::Bpf,
        Kind::Capset,
        Kind::Setgid,
        Kind::Accept,
        Kind::Memfd,
    ];

    pub fn from_raw(n: u32) -> Option<Kind> {
        Kind::ALL.get((n as usize).checked_sub(1)?).copied()
    }

    pub fn raw(self) -> u32 {
        Kind::ALL.iter().position(|k| *k == self).unwrap_or(0) as u32 + 1
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Exec => "exec",
            Kind::Exit => "exit",
            Kind::Open => "open",
            Kind::Connect => "connect",
            Kind::Ptrace => "ptrace",
            Kind::Module => "module",
            Kind::Setuid => "setuid",
            Kind::Unlink => "unlink",
            Kind::Rename => "rename",
            Kind::Chmod => "chmod",
            Kind::Mount => "mount",
            Kind::Umount => "umount",
            Kind::Namespace => "namespace",
            Kind::Bpf => "bpf",
            Kind::Capset => "capset",
            Kind::Setgid => "setgid",
            Kind::Accept => "accept",
            Kind::Memfd => "memfd",
        }
    }
}

/// One kernel event, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct NodeEvent {
    pub kind: Kind,
    /// Process id (thread group id) and thread id.
    pub pid: u32,
    pub tid: u32,
    pub ppid: u32,
    pub uid: u32,
    pub gid: u32,
    /// Nanoseconds since boot.
    pub ts_ns: u64,
    pub cgroup_id: u64,
    pub comm: String,
    pub pcomm: String,
    /// Cgroup names, leaf first (memory hierarchy on cgroup v1, unified on v2).
    pub cgroups: Vec<String>,
    /// Exec: the executable's path; open, unlink, chmod: the file (made absolute with the
    /// working directory when the process gave a relative path); rename: the old path;
    /// mount, umount: the mount point; memfd: the name; connect (AF_UNIX): the socket path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Rename: the new path; mount: the source (device).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path2: Option<String>,
    /// Mount: the file system type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fstype: Option<String>,
    /// Exec: argv (argv[0] first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Exec: the working directory (within its mount; `.../` in front when deeper than the
    /// kernel side walks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// Exec: whether argv was longer than the kernel side keeps.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub args_truncated: bool,
    /// Exec: the executable lives in the container's writable overlayfs (upper) layer.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exe_upper_layer: bool,
    /// Exec: the executable is a memfd or a deleted shmem file (fileless execution).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exe_from_memfd: bool,
    /// Exit: status; open: flags; connect, accept: address family; ptrace: request; module:
    /// syscall number; setuid, setgid: new id; unlink: flags; chmod: mode; mount, umount:
    /// flags; namespace: CLONE_NEW* flags; bpf: command; capset: effective capabilities;
    /// memfd: flags.
    pub a0: i64,
    /// Connect, accept: remote port; ptrace: target pid; open: mode; exec: EXE_* flags;
    /// capset: permitted capabilities; other kinds: the system call number.
    pub a1: i64,
    /// Exec: the executable's inode number; accept: the local port; setns: the fd.
    pub a2: i64,
    /// Accept: the system call number.
    pub a3: i64,
    /// Connect: the destination address; accept: the peer's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<IpAddr>,
    /// Accept: the local address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub laddr: Option<IpAddr>,
    /// The controlling terminal as `/proc/<pid>/stat`'s `tty_nr`; 0: none.
    pub tty: u32,
    /// The audit login uid (`/proc/<pid>/loginuid`); `u32::MAX`: unset.
    pub loginuid: u32,
    /// The thread's effective and permitted capability sets (bit n: capability n).
    pub cap_effective: u64,
    pub cap_permitted: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("record of {0} bytes, expected {RECORD_SIZE}")]
    Size(usize),
    #[error("unknown event kind {0}")]
    Kind(u32),
    #[error("{0} record with address family {1}")]
    Family(&'static str, i64),
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[off..off + 4]);
    u32::from_le_bytes(a)
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(a)
}

/// The NUL-terminated string in a fixed slot.
fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn ip(family: i64, a: &[u8]) -> Option<IpAddr> {
    match family {
        AF_INET => Some(IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3]))),
        AF_INET6 => {
            let mut o = [0u8; 16];
            o.copy_from_slice(&a[..16]);
            Some(IpAddr::V6(Ipv6Addr::from(o)))
        }
        _ => None,
    }
}

/// The directory names of the cwd slot, innermost first, as a path (`.../` in front when
/// the kernel side stopped before the root); None when the slot is empty.
fn dir_slot(b: &[u8]) -> Option<String> {
    let parts: Vec<String> = (0..CWD_PARTS)
        .map(|i| cstr(&b[OFF_CWD + i * CWD_PART..OFF_CWD + (i + 1) * CWD_PART]))
        .take_while(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return None;
    }
    let mut out = String::from(if parts.len() == CWD_PARTS { "..." } else { "" });
    for p in parts.iter().rev() {
        out.push('/');
        out.push_str(p);
    }
    Some(out)
}

/// A path the process gave, made absolute with the directory the kernel side sent for it.
fn resolve(path: String, dir: Option<&str>) -> String {
    match dir {
        Some(d) if !path.starts_with('/') => {
            let rel = path.trim_start_matches("./");
            if rel.is_empty() {
                d.to_string()
            } else {
                format!("{d}/{rel}")
            }
        }
        _ => path,
    }
}

/// Decodes one ring buffer record.
pub fn decode(b: &[u8]) -> Result<NodeEvent, DecodeError> {
    if b.len() < RECORD_SIZE {
        return Err(DecodeError::Size(b.len()));
    }
    let raw_kind = u32_at(b, 0);
    let kind = Kind::from_raw(raw_kind).ok_or(DecodeError::Kind(raw_kind))?;
    let a0 = u64_at(b, OFF_A0) as i64;
    let a1 = u64_at(b, OFF_A1) as i64;
    let cgroups = (0..3)
        .map(|i| cstr(&b[OFF_CG + i * CG_NAME..OFF_CG + (i + 1) * CG_NAME]))
        .collect();
    let mut ev = NodeEvent {
        kind,
        pid: u32_at(b, 4),
        tid: u32_at(b, 8),
        ppid: u32_at(b, 12),
        uid: u32_at(b, 16),
        gid: u32_at(b, 20),
        ts_ns: u64_at(b, 24),
        cgroup_id: u64_at(b, 32),
        comm: cstr(&b[OFF_COMM..OFF_COMM + 16]),
        pcomm: cstr(&b[OFF_PCOMM..OFF_PCOMM + 16]),
        cgroups,
        a0,
        a1,
        a2: u64_at(b, OFF_A2) as i64,
        a3: u64_at(b, OFF_A3) as i64,
        tty: u32_at(b, OFF_TTY),
        loginuid: u32_at(b, OFF_LOGINUID),
        cap_effective: u64_at(b, OFF_CAP_EFFECTIVE),
        cap_permitted: u64_at(b, OFF_CAP_PERMITTED),
        ..NodeEvent::default()
    };
    let path = || cstr(&b[OFF_PATH..OFF_PATH + PATH_LEN]);
    let path2 = || cstr(&b[OFF_ARGS..OFF_ARGS + PATH_LEN]);
    match kind {
        Kind::Exec => {
            let cwd = dir_slot(b).unwrap_or_else(|| "/".into());
            // `./tool` or `bin/tool`: relative to the working directory.
            ev.path = Some(resolve(path(), Some(cwd.trim_end_matches('/'))));
            ev.cwd = Some(cwd);
            ev.exe_upper_layer = a1 & EXE_UPPER_LAYER != 0;
            ev.exe_from_memfd = a1 & EXE_FROM_MEMFD != 0;
            let len = (a0.clamp(0, ARGS_LEN as i64)) as usize;
            let args = &b[OFF_ARGS..OFF_ARGS + len];
            // argv ends with a NUL; a full buffer without one was cut.
            ev.args_truncated = len == ARGS_LEN && args.last() != Some(&0);
            let args = args.strip_suffix(&[0]).unwrap_or(args);
            if !args.is_empty() {
                ev.args = args
                    .split(|&c| c == 0)
                    .take(MAX_ARGS)
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
            }
        }
        Kind::Open | Kind::Unlink | Kind::Chmod => {
            ev.path = Some(resolve(path(), dir_slot(b).as_deref()));
        }
        Kind::Rename => {
            let dir = dir_slot(b);
            ev.path = Some(resolve(path(), dir.as_deref()));
            ev.path2 = Some(resolve(path2(), dir.as_deref()));
        }
        Kind::Mount => {
            ev.path = Some(path());
            ev.path2 = Some(path2());
            ev.fstype = Some(cstr(&b[OFF_ARGS + PATH_LEN..OFF_ARGS + ARGS_LEN]));
        }
        Kind::Umount | Kind::Memfd => ev.path = Some(path()),
        Kind::Connect => {
            if a0 == AF_UNIX {
                ev.path = Some(path());
            } else {
                ev.addr = Some(
                    ip(a0, &b[OFF_ADDR..OFF_ADDR + 16])
                        .ok_or(DecodeError::Family("connect", a0))?,
                );
            }
        }
        Kind::Accept => {
            ev.addr =
                Some(ip(a0, &b[OFF_ADDR..OFF_ADDR + 16]).ok_or(DecodeError::Family("accept", a0))?);
            ev.laddr = ip(a0, &b[OFF_ADDR2..OFF_ADDR2 + 16]);
        }
        Kind::Exit
        | Kind::Ptrace
        | Kind::Module
        | Kind::Setuid
        | Kind::Namespace
        | Kind::Bpf
        | Kind::Capset
        | Kind::Setgid => {}
    }
    Ok(ev)
}

/// Encodes an event in the kernel's layout (tests, fuzz seeds, benchmarks). Paths go in as
/// they are (absolute paths decode to themselves).
pub fn encode(ev: &NodeEvent) -> Vec<u8> {
    let mut b = vec![0u8; RECORD_SIZE];
    let put = |b: &mut [u8], off: usize, v: &[u8]| b[off..off + v.len()].copy_from_slice(v);
    let put_str = |b: &mut [u8], off: usize, cap: usize, s: &str| {
        let s = &s.as_bytes()[..s.len().min(cap - 1)];
        b[off..off + s.len()].copy_from_slice(s);
    };
    put(&mut b, 0, &ev.kind.raw().to_le_bytes());
    put(&mut b, 4, &ev.pid.to_le_bytes());
    put(&mut b, 8, &ev.tid.to_le_bytes());
    put(&mut b, 12, &ev.ppid.to_le_bytes());
    put(&mut b, 16, &ev.uid.to_le_bytes());
    put(&mut b, 20, &ev.gid.to_le_bytes());
    put(&mut b, 24, &ev.ts_ns.to_le_bytes());
    put(&mut b, 32, &ev.cgroup_id.to_le_bytes());
    put(&mut b, OFF_TTY, &ev.tty.to_le_bytes());
    put(&mut b, OFF_LOGINUID, &ev.loginuid.to_le_bytes());
    put(&mut b, OFF_CAP_EFFECTIVE, &ev.cap_effective.to_le_bytes());
    put(&mut b, OFF_CAP_PERMITTED, &ev.cap_permitted.to_le_bytes());
    put_str(&mut b, OFF_COMM, 16, &ev.comm);
    put_str(&mut b, OFF_PCOMM, 16, &ev.pcomm);
    for (i, c) in ev.cgroups.iter().take(3).enumerate() {
        put_str(&mut b, OFF_CG + i * CG_NAME, CG_NAME, c);
    }
    let mut a0 = ev.a0;
    let mut a1 = ev.a1;
    if let Some(p) = &ev.path {
        put_str(&mut b, OFF_PATH, PATH_LEN, p);
    }
    if ev.kind != Kind::Exec {
        if let Some(p) = &ev.path2 {
            put_str(&mut b, OFF_ARGS, PATH_LEN, p);
        }
        if let Some(t) = &ev.fstype {
            put_str(&mut b, OFF_ARGS + PATH_LEN, PATH_LEN, t);
        }
    }
    if ev.kind == Kind::Exec {
        let mut args = Vec::new();
        for a in &ev.args {
            args.extend_from_slice(a.as_bytes());
            args.push(0);
        }
        args.truncate(ARGS_LEN);
        put(&mut b, OFF_ARGS, &args);
        a0 = args.len() as i64;
        if ev.exe_upper_layer {
            a1 |= EXE_UPPER_LAYER;
        }
        if ev.exe_from_memfd {
            a1 |= EXE_FROM_MEMFD;
        }
        if let Some(cwd) = &ev.cwd {
            let parts: Vec<&str> = cwd
                .split('/')
                .filter(|p| !p.is_empty() && *p != "...")
                .collect();
            for (i, p) in parts.iter().rev().take(CWD_PARTS).enumerate() {
                put_str(&mut b, OFF_CWD + i * CWD_PART, CWD_PART, p);
            }
        }
    }
    let family = |a: &IpAddr| if a.is_ipv4() { AF_INET } else { AF_INET6 };
    let octets = |a: &IpAddr| match a {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    };
    if let Some(a) = &ev.addr {
        put(&mut b, OFF_ADDR, &octets(a));
        a0 = family(a);
    }
    if let Some(a) = &ev.laddr {
        put(&mut b, OFF_ADDR2, &octets(a));
    }
    put(&mut b, OFF_A0, &a0.to_le_bytes());
    put(&mut b, OFF_A1, &a1.to_le_bytes());
    put(&mut b, OFF_A2, &ev.a2.to_le_bytes());
    put(&mut b, OFF_A3, &ev.a3.to_le_bytes());
    b
}

/// Writes a directory into the cwd slot of an encoded record, innermost name first, the way
/// the kernel side sends the working directory for a relative path (tests, fuzz seeds).
pub fn encode_dir(b: &mut [u8], dir: &str) {
    let parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for (i, p) in parts.iter().rev().take(CWD_PARTS).enumerate() {
        let s = &p.as_bytes()[..p.len().min(CWD_PART - 1)];
        let off = OFF_CWD + i * CWD_PART;
        if let Some(slot) = b.get_mut(off..off + s.len()) {
            slot.copy_from_slice(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec() -> NodeEvent {
        NodeEvent {
            kind: Kind::Exec,
            pid: 42,
            tid: 42,
            ppid: 7,
            uid: 0,
            gid: 0,
            ts_ns: 123,
            cgroup_id: 9,
            comm: "cat".into(),
            pcomm: "bash".into(),
            cgroups: vec!["abc".into(), "docker".into(), "/".into()],
            path: Some("/usr/bin/cat".into()),
            args: vec!["cat".into(), "/etc/shadow".into()],
            cwd: Some("/srv/app".into()),
            a0: 16,
            ..NodeEvent::default()
        }
    }

    #[test]
    fn round_trip() {
        let e = exec();
        assert_eq!(decode(&encode(&e)).unwrap(), e);
        let mut c = exec();
        c.kind = Kind::Connect;
        c.path = None;
        c.args = vec![];
        c.cwd = None;
        c.a0 = 10;
        c.a1 = 3333;
        c.addr = Some("::1".parse().unwrap());
        assert_eq!(decode(&encode(&c)).unwrap(), c);
        c.a0 = 2;
        c.addr = Some("127.0.0.1".parse().unwrap());
        assert_eq!(decode(&encode(&c)).unwrap(), c);
    }

    #[test]
    fn bad_records() {
        assert_eq!(decode(&[0; 10]), Err(DecodeError::Size(10)));
        let mut b = encode(&exec());
        b[0] = 99;
        assert_eq!(decode(&b), Err(DecodeError::Kind(99)));
        let mut b = encode(&exec());
        b[0] = Kind::Connect.raw() as u8;
        b[OFF_A0] = 7;
        assert_eq!(decode(&b), Err(DecodeError::Family("connect", 7)));
        b[0] = Kind::Accept.raw() as u8;
        assert_eq!(decode(&b), Err(DecodeError::Family("accept", 7)));
    }

    #[test]
    fn hostile_strings_are_bounded() {
        let mut b = vec![0xffu8; RECORD_SIZE];
        b[0..4].copy_from_slice(&1u32.to_le_bytes());
        b[OFF_A0..OFF_A0 + 8].copy_from_slice(&i64::MAX.to_le_bytes());
        let e = decode(&b).unwrap();
        assert_eq!(e.comm.chars().count(), 16);
        assert!(e.args_truncated);
        assert_eq!(e.args.len(), 1);
        // Negative length: no args.
        b[OFF_A0..OFF_A0 + 8].copy_from_slice(&(-5i64).to_le_bytes());
        assert!(decode(&b).unwrap().args.is_empty());
    }

    #[test]
    fn argv_split_and_cut() {
        let mut e = exec();
        e.args = (0..300).map(|i| format!("a{i}")).collect();
        let d = decode(&encode(&e)).unwrap();
        assert!(d.args_truncated);
        assert!(d.args.len() <= MAX_ARGS);
        assert_eq!(d.args[0], "a0");
    }

    fn other(kind: Kind) -> NodeEvent {
        NodeEvent {
            kind,
            args: vec![],
            cwd: None,
            path: None,
            a0: 0,
            ..exec()
        }
    }

    #[test]
    fn new_kinds_round_trip() {
        let mut r = other(Kind::Rename);
        r.path = Some("/usr/bin/ls".into());
        r.path2 = Some("/tmp/ls.bak".into());
        r.a1 = 316;
        assert_eq!(decode(&encode(&r)).unwrap(), r);
        let mut m = other(Kind::Mount);
        m.path = Some("/mnt/host".into());
        m.path2 = Some("/dev/vda1".into());
        m.fstype = Some("ext4".into());
        m.a0 = 0x8000;
        m.a1 = 165;
        assert_eq!(decode(&encode(&m)).unwrap(), m);
        let mut a = other(Kind::Accept);
        a.addr = Some("127.0.0.1".parse().unwrap());
        a.laddr = Some("127.0.0.2".parse().unwrap());
        a.a0 = AF_INET;
        a.a1 = 51000;
        a.a2 = 4444;
        a.a3 = 288;
        assert_eq!(decode(&encode(&a)).unwrap(), a);
        a.addr = Some("::1".parse().unwrap());
        a.laddr = Some("fe80::1".parse().unwrap());
        a.a0 = AF_INET6;
        assert_eq!(decode(&encode(&a)).unwrap(), a);
        let mut u = other(Kind::Connect);
        u.path = Some("/var/run/docker.sock".into());
        u.a0 = AF_UNIX;
        let d = decode(&encode(&u)).unwrap();
        assert_eq!(d, u);
        assert_eq!(d.addr, None);
        for k in [
            Kind::Namespace,
            Kind::Bpf,
            Kind::Capset,
            Kind::Setgid,
            Kind::Umount,
        ] {
            let mut e = other(k);
            e.a0 = 0x2000_0000;
            e.a1 = 272;
            e.a2 = 3;
            if k == Kind::Umount {
                e.path = Some("/proc".into());
            }
            assert_eq!(decode(&encode(&e)).unwrap(), e, "{k:?}");
        }
        let mut mf = other(Kind::Memfd);
        mf.path = Some("x".into());
        mf.a0 = 1;
        mf.a1 = 319;
        assert_eq!(decode(&encode(&mf)).unwrap(), mf);
    }

    /// The C struct's size assertion and offset comments agree with the offsets here.
    #[test]
    fn layout_matches_the_kernel_side() {
        let c = include_str!("../bpf/sensor.bpf.c");
        assert!(
            c.contains(&format!("sizeof(struct pal_event) == {RECORD_SIZE}")),
            "RECORD_SIZE"
        );
        for (field, off) in [
            ("comm[16];", OFF_COMM),
            ("pcomm[16];", OFF_PCOMM),
            ("cg[3][CG_NAME];", OFF_CG),
            ("a0;", OFF_A0),
            ("a1;", OFF_A1),
            ("addr[16];", OFF_ADDR),
            ("path[PATH_LEN];", OFF_PATH),
            ("args[ARGS_LEN];", OFF_ARGS),
            ("cwd[CWD_PARTS][CWD_PART];", OFF_CWD),
            ("a2;", OFF_A2),
            ("a3;", OFF_A3),
            ("addr2[16];", OFF_ADDR2),
            ("tty;", OFF_TTY),
            ("loginuid;", OFF_LOGINUID),
            ("cap_effective;", OFF_CAP_EFFECTIVE),
            ("cap_permitted;", OFF_CAP_PERMITTED),
        ] {
            let line = c
                .lines()
                .find(|l| l.contains(field) && l.contains("//"))
                .unwrap_or_else(|| panic!("{field} not in the C struct"));
            assert!(
                line.contains(&format!("// {off}")),
                "{field} is not at {off}: {line}"
            );
        }
        for (i, k) in Kind::ALL.iter().enumerate() {
            let name = format!("PAL_{} {}", k.as_str().to_uppercase(), i + 1);
            assert!(
                c.lines()
                    .any(|l| l.starts_with("#define ") && l.ends_with(&name)),
                "#define {name}"
            );
        }
        assert!(c.contains(&format!("#define PAL_KINDS {}", Kind::ALL.len() + 1)));
    }

    #[test]
    fn relative_exec_path_uses_the_working_directory() {
        let mut e = exec();
        e.path = Some("./payload".into());
        e.cwd = Some("/tmp".into());
        assert_eq!(
            decode(&encode(&e)).unwrap().path.as_deref(),
            Some("/tmp/payload")
        );
        e.cwd = Some("/".into());
        e.path = Some("payload".into());
        assert_eq!(
            decode(&encode(&e)).unwrap().path.as_deref(),
            Some("/payload")
        );
    }

    #[test]
    fn exec_origin_flags() {
        let mut e = exec();
        e.exe_upper_layer = true;
        e.a2 = 1234;
        let b = encode(&e);
        assert_eq!(u64_at(&b, OFF_A1) as i64, EXE_UPPER_LAYER);
        let d = decode(&b).unwrap();
        assert!(d.exe_upper_layer && !d.exe_from_memfd);
        assert_eq!(d.a2, 1234);
        let mut b = encode(&exec());
        b[OFF_A1] = EXE_FROM_MEMFD as u8;
        let d = decode(&b).unwrap();
        assert!(d.exe_from_memfd && !d.exe_upper_layer);
    }

    #[test]
    fn relative_paths_are_resolved_with_the_directory() {
        let mut o = other(Kind::Open);
        o.path = Some("shadow".into());
        let mut b = encode(&o);
        encode_dir(&mut b, "/etc");
        assert_eq!(decode(&b).unwrap().path.as_deref(), Some("/etc/shadow"));
        // Absolute paths ignore the directory.
        o.path = Some("/etc/passwd".into());
        let mut b = encode(&o);
        encode_dir(&mut b, "/srv");
        assert_eq!(decode(&b).unwrap().path.as_deref(), Some("/etc/passwd"));
        // rename: both sides; "./" is dropped.
        let mut r = other(Kind::Rename);
        r.path = Some("./ls".into());
        r.path2 = Some("/tmp/x".into());
        let mut b = encode(&r);
        encode_dir(&mut b, "/usr/bin");
        let d = decode(&b).unwrap();
        assert_eq!(d.path.as_deref(), Some("/usr/bin/ls"));
        assert_eq!(d.path2.as_deref(), Some("/tmp/x"));
        // fchmod: no path, the file's own dentries.
        let mut c = other(Kind::Chmod);
        c.a0 = 0o755;
        c.a1 = 91;
        let mut b = encode(&c);
        encode_dir(&mut b, "/tmp/payload");
        assert_eq!(decode(&b).unwrap().path.as_deref(), Some("/tmp/payload"));
        // Deeper than the slot: marked as cut.
        let mut b = encode(&c);
        encode_dir(&mut b, "/a/b/c/d/e/f/g/h/i/j");
        assert_eq!(
            decode(&b).unwrap().path.as_deref(),
            Some(".../c/d/e/f/g/h/i/j")
        );
    }
}
