//! Records from the kernel's ring buffer → [`NodeEvent`]. The layout is `struct pal_event` in
//! `bpf/sensor.bpf.c` (little-endian, fixed size). The bytes are treated as untrusted: every
//! string is bounded by its slot and cut at its first NUL, invalid UTF-8 is replaced, and a
//! short or unknown record is an error, never a panic.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

/// Size of one record.
pub const RECORD_SIZE: usize = 1512;
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

/// Longest argv kept (the kernel side already caps the bytes at 512).
pub const MAX_ARGS: usize = 128;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Exec,
    Exit,
    Open,
    Connect,
    Ptrace,
    Module,
    Setuid,
}

impl Kind {
    /// Every kind, in the kernel's numbering (1-based).
    pub const ALL: [Kind; 7] = [
        Kind::Exec,
        Kind::Exit,
        Kind::Open,
        Kind::Connect,
        Kind::Ptrace,
        Kind::Module,
        Kind::Setuid,
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
        }
    }
}

/// One kernel event, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// Exec: the executable's path; open: the path opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
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
    /// Exit: status; open: flags; ptrace: request; module: syscall number; setuid: new uid.
    pub a0: i64,
    /// Connect: port; ptrace: target pid; open: mode; setuid: syscall number.
    pub a1: i64,
    /// Connect: the destination address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<IpAddr>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("record of {0} bytes, expected {RECORD_SIZE}")]
    Size(usize),
    #[error("unknown event kind {0}")]
    Kind(u32),
    #[error("connect record with address family {0}")]
    Family(i64),
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
        path: None,
        args: Vec::new(),
        cwd: None,
        args_truncated: false,
        a0,
        a1,
        addr: None,
    };
    match kind {
        Kind::Exec => {
            ev.path = Some(cstr(&b[OFF_PATH..OFF_PATH + PATH_LEN]));
            let parts: Vec<String> = (0..CWD_PARTS)
                .map(|i| cstr(&b[OFF_CWD + i * CWD_PART..OFF_CWD + (i + 1) * CWD_PART]))
                .take_while(|p| !p.is_empty())
                .collect();
            let mut cwd = String::from(if parts.len() == CWD_PARTS { "..." } else { "" });
            for p in parts.iter().rev() {
                cwd.push('/');
                cwd.push_str(p);
            }
            if cwd.is_empty() {
                cwd.push('/');
            }
            ev.cwd = Some(cwd);
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
        Kind::Open => ev.path = Some(cstr(&b[OFF_PATH..OFF_PATH + PATH_LEN])),
        Kind::Connect => {
            let a = &b[OFF_ADDR..OFF_ADDR + 16];
            ev.addr = Some(match a0 {
                2 => IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3])),
                10 => {
                    let mut o = [0u8; 16];
                    o.copy_from_slice(a);
                    IpAddr::V6(Ipv6Addr::from(o))
                }
                f => return Err(DecodeError::Family(f)),
            });
        }
        _ => {}
    }
    Ok(ev)
}

/// Encodes an event in the kernel's layout (tests, fuzz seeds, benchmarks).
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
    put_str(&mut b, OFF_COMM, 16, &ev.comm);
    put_str(&mut b, OFF_PCOMM, 16, &ev.pcomm);
    for (i, c) in ev.cgroups.iter().take(3).enumerate() {
        put_str(&mut b, OFF_CG + i * CG_NAME, CG_NAME, c);
    }
    let mut a0 = ev.a0;
    if let Some(p) = &ev.path {
        put_str(&mut b, OFF_PATH, PATH_LEN, p);
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
    match ev.addr {
        Some(IpAddr::V4(a)) => {
            put(&mut b, OFF_ADDR, &a.octets());
            a0 = 2;
        }
        Some(IpAddr::V6(a)) => {
            put(&mut b, OFF_ADDR, &a.octets());
            a0 = 10;
        }
        None => {}
    }
    put(&mut b, OFF_A0, &a0.to_le_bytes());
    put(&mut b, OFF_A1, &ev.a1.to_le_bytes());
    b
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
            args_truncated: false,
            a0: 16,
            a1: 0,
            addr: None,
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
        assert_eq!(decode(&b), Err(DecodeError::Family(7)));
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
}
