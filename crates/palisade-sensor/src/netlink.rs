//! The fallback collector: the kernel's process connector (`NETLINK_CONNECTOR`, multicast
//! group `CN_IDX_PROC`), for kernels or privileges that do not allow eBPF. It reports exec,
//! fork and exit with pids only; an exec is enriched from `/proc/<pid>` (executable, argv,
//! working directory, uid/gid, parent, cgroup) into the same [`NodeEvent`] the eBPF side
//! produces, so the same [`crate::Detector`] runs on it. Open, connect, ptrace, module and
//! setuid events are not seen: rules that need them are reported as lost at start.
//!
//! [`parse`] is pure (a datagram in, messages out) and treats the bytes as untrusted.
//! The socket comes from `netlink-sys` (rust-netlink); this module has no `unsafe`.
//! Whether binding to the group and subscribing need CAP_NET_ADMIN depends on the kernel
//! build (some let any process listen, others refuse the bind or answer the subscription
//! with EPERM): [`NetlinkCollector::open`] waits for the kernel's answer and names the missing
//! capability. Reading other processes' `/proc` entries needs CAP_SYS_PTRACE.
//!
//! Layouts (`linux/netlink.h`, `linux/connector.h`, `linux/cn_proc.h`), host byte order:
//! `nlmsghdr` {len u32, type u16, flags u16, seq u32, pid u32}, then `cn_msg` {idx u32,
//! val u32, seq u32, ack u32, len u16, flags u16, data}, then `proc_event` {what u32, cpu u32,
//! timestamp_ns u64, event_data}.

use std::time::{Duration, Instant};

use crate::decode::{Kind, NodeEvent};

const NLMSG_HDRLEN: usize = 16;
const CN_MSG_LEN: usize = 20;
const PROC_EVENT_HDR: usize = 16;
/// `NLMSG_NOOP`, `NLMSG_ERROR`, `NLMSG_DONE`, `NLMSG_OVERRUN`.
const NLMSG_NOOP: u16 = 1;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_OVERRUN: u16 = 4;
pub const CN_IDX_PROC: u32 = 1;
pub const CN_VAL_PROC: u32 = 1;
pub const PROC_CN_MCAST_LISTEN: u32 = 1;
pub const PROC_CN_MCAST_IGNORE: u32 = 2;

const PROC_EVENT_NONE: u32 = 0;
const PROC_EVENT_FORK: u32 = 1;
const PROC_EVENT_EXEC: u32 = 2;
const PROC_EVENT_EXIT: u32 = 0x8000_0000;

/// One process connector event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcEvent {
    /// The kernel's answer to a subscription (`err` 0: fine).
    Ack {
        err: u32,
    },
    Fork {
        parent_pid: u32,
        parent_tgid: u32,
        child_pid: u32,
        child_tgid: u32,
    },
    Exec {
        pid: u32,
        tgid: u32,
    },
    Exit {
        pid: u32,
        tgid: u32,
        code: u32,
        signal: u32,
    },
    /// uid, gid, sid, ptrace, comm, coredump changes: not used.
    Other {
        what: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    pub cpu: u32,
    /// Monotonic clock, nanoseconds.
    pub ts_ns: u64,
    pub event: ProcEvent,
}

/// What one datagram held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Datagram {
    pub messages: Vec<Message>,
    /// The kernel said it dropped messages (`NLMSG_OVERRUN`).
    pub overrun: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error(
        "netlink message at byte {offset}: length {len} does not fit the {size} byte datagram"
    )]
    Length {
        offset: usize,
        len: usize,
        size: usize,
    },
    #[error("netlink error message: errno {0}")]
    Netlink(i32),
    #[error("connector message at byte {0}: payload shorter than its header or its length")]
    Connector(usize),
    #[error("process event at byte {offset}: {len} bytes, too short for event {what:#x}")]
    Event {
        offset: usize,
        len: usize,
        what: u32,
    },
}

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(off..off + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(off..off + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_ne_bytes(b.get(off..off + 8)?.try_into().ok()?))
}

/// Parses one datagram from the connector socket: netlink messages (4-byte aligned), each a
/// connector message; those of the process connector become [`Message`]s, others are
/// skipped.
pub fn parse(b: &[u8]) -> Result<Datagram, ParseError> {
    let mut out = Datagram::default();
    let mut off = 0usize;
    while off + NLMSG_HDRLEN <= b.len() {
        let len = u32_at(b, off).unwrap_or(0) as usize;
        let ty = u16_at(b, off + 4).unwrap_or(0);
        if len < NLMSG_HDRLEN || len > b.len() - off {
            return Err(ParseError::Length {
                offset: off,
                len,
                size: b.len(),
            });
        }
        let payload = &b[off + NLMSG_HDRLEN..off + len];
        match ty {
            NLMSG_NOOP => {}
            NLMSG_OVERRUN => out.overrun = true,
            NLMSG_ERROR => {
                let errno = u32_at(payload, 0).unwrap_or(0) as i32;
                if errno != 0 {
                    return Err(ParseError::Netlink(errno));
                }
            }
            _ => {
                // The connector sends its messages as NLMSG_DONE; accept any other type too.
                let _ = NLMSG_DONE;
                if let Some(m) = connector(payload, off + NLMSG_HDRLEN)? {
                    out.messages.push(m);
                }
            }
        }
        // NLMSG_ALIGN: the next message starts on a 4-byte boundary.
        off += (len + 3) & !3;
    }
    Ok(out)
}

fn connector(p: &[u8], at: usize) -> Result<Option<Message>, ParseError> {
    if p.len() < CN_MSG_LEN {
        return Err(ParseError::Connector(at));
    }
    let (idx, val) = (u32_at(p, 0).unwrap_or(0), u32_at(p, 4).unwrap_or(0));
    let data_len = u16_at(p, 16).unwrap_or(0) as usize;
    let data = p
        .get(CN_MSG_LEN..CN_MSG_LEN + data_len)
        .ok_or(ParseError::Connector(at))?;
    if idx != CN_IDX_PROC || val != CN_VAL_PROC {
        return Ok(None);
    }
    let at = at + CN_MSG_LEN;
    let short = |what| ParseError::Event {
        offset: at,
        len: data.len(),
        what,
    };
    let what = u32_at(data, 0).ok_or(short(0))?;
    let cpu = u32_at(data, 4).ok_or(short(what))?;
    let ts_ns = u64_at(data, 8).ok_or(short(what))?;
    let d = |i: usize| u32_at(data, PROC_EVENT_HDR + 4 * i).ok_or(short(what));
    let event = match what {
        PROC_EVENT_NONE => ProcEvent::Ack { err: d(0)? },
        PROC_EVENT_FORK => ProcEvent::Fork {
            parent_pid: d(0)?,
            parent_tgid: d(1)?,
            child_pid: d(2)?,
            child_tgid: d(3)?,
        },
        PROC_EVENT_EXEC => ProcEvent::Exec {
            pid: d(0)?,
            tgid: d(1)?,
        },
        PROC_EVENT_EXIT => ProcEvent::Exit {
            pid: d(0)?,
            tgid: d(1)?,
            code: d(2)?,
            signal: d(3)?,
        },
        other => ProcEvent::Other { what: other },
    };
    Ok(Some(Message { cpu, ts_ns, event }))
}

/// The subscription request (`PROC_CN_MCAST_LISTEN` or `_IGNORE`) from netlink port `port`.
pub fn subscription(port: u32, op: u32) -> Vec<u8> {
    let len = NLMSG_HDRLEN + CN_MSG_LEN + 4;
    let mut b = Vec::with_capacity(len);
    b.extend_from_slice(&(len as u32).to_ne_bytes());
    b.extend_from_slice(&NLMSG_DONE.to_ne_bytes());
    b.extend_from_slice(&0u16.to_ne_bytes());
    b.extend_from_slice(&0u32.to_ne_bytes());
    b.extend_from_slice(&port.to_ne_bytes());
    b.extend_from_slice(&CN_IDX_PROC.to_ne_bytes());
    b.extend_from_slice(&CN_VAL_PROC.to_ne_bytes());
    b.extend_from_slice(&0u32.to_ne_bytes());
    b.extend_from_slice(&0u32.to_ne_bytes());
    b.extend_from_slice(&4u16.to_ne_bytes());
    b.extend_from_slice(&0u16.to_ne_bytes());
    b.extend_from_slice(&op.to_ne_bytes());
    b
}

/// Builds a datagram of process events (tests, fuzz seeds): the inverse of [`parse`].
pub fn encode(messages: &[Message]) -> Vec<u8> {
    let mut b = Vec::new();
    for m in messages {
        let (what, data): (u32, Vec<u32>) = match m.event {
            ProcEvent::Ack { err } => (PROC_EVENT_NONE, vec![err]),
            ProcEvent::Fork {
                parent_pid,
                parent_tgid,
                child_pid,
                child_tgid,
            } => (
                PROC_EVENT_FORK,
                vec![parent_pid, parent_tgid, child_pid, child_tgid],
            ),
            ProcEvent::Exec { pid, tgid } => (PROC_EVENT_EXEC, vec![pid, tgid]),
            ProcEvent::Exit {
                pid,
                tgid,
                code,
                signal,
            } => (PROC_EVENT_EXIT, vec![pid, tgid, code, signal, 0, 0]),
            ProcEvent::Other { what } => (what, vec![0; 4]),
        };
        let ev_len = PROC_EVENT_HDR + 4 * data.len();
        let len = NLMSG_HDRLEN + CN_MSG_LEN + ev_len;
        b.extend_from_slice(&(len as u32).to_ne_bytes());
        b.extend_from_slice(&NLMSG_DONE.to_ne_bytes());
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(&CN_IDX_PROC.to_ne_bytes());
        b.extend_from_slice(&CN_VAL_PROC.to_ne_bytes());
        b.extend_from_slice(&[0; 8]);
        b.extend_from_slice(&(ev_len as u16).to_ne_bytes());
        b.extend_from_slice(&[0; 2]);
        b.extend_from_slice(&what.to_ne_bytes());
        b.extend_from_slice(&m.cpu.to_ne_bytes());
        b.extend_from_slice(&m.ts_ns.to_ne_bytes());
        for v in data {
            b.extend_from_slice(&v.to_ne_bytes());
        }
        while b.len() % 4 != 0 {
            b.push(0);
        }
    }
    b
}

/// The uid and gid (real) from the text of `/proc/<pid>/status`.
pub fn status_ids(status: &str) -> (u32, u32, Option<u32>) {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u32>().ok())
    };
    (
        field("Uid:").unwrap_or(u32::MAX),
        field("Gid:").unwrap_or(u32::MAX),
        field("PPid:"),
    )
}

/// A capability set line of `/proc/<pid>/status` (`CapEff:`, `CapPrm:`), hexadecimal.
pub fn status_caps(status: &str, name: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .unwrap_or(0)
}

/// `tty_nr`, the seventh field of `/proc/<pid>/stat` (after the parenthesised command name,
/// which may itself hold spaces and parentheses).
pub fn stat_tty_nr(stat: &str) -> u32 {
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().nth(4))
        .and_then(|v| v.parse::<i64>().ok())
        .map_or(0, |v| v as u32)
}

/// The exec of `tgid` as a [`NodeEvent`], from what `/proc` says now; `None` when the
/// process is already gone.
pub fn exec_event(tgid: u32, tid: u32, ts_ns: u64) -> Option<NodeEvent> {
    let info = crate::process::read_proc(tgid)?;
    let dir = format!("/proc/{tgid}");
    let status = std::fs::read_to_string(format!("{dir}/status")).unwrap_or_default();
    let (uid, gid, ppid) = status_ids(&status);
    let ppid = ppid.unwrap_or(info.ppid);
    let pcomm = std::fs::read_to_string(format!("/proc/{ppid}/comm"))
        .map(|s| s.trim_end().to_string())
        .unwrap_or_default();
    let cgroups = std::fs::read_to_string(format!("{dir}/cgroup"))
        .map(|t| crate::cgroup::names_from_proc_cgroup(&t))
        .unwrap_or_default();
    let comm = std::fs::read_to_string(format!("{dir}/comm"))
        .map(|s| s.trim_end().to_string())
        .unwrap_or(info.name);
    Some(NodeEvent {
        kind: Kind::Exec,
        pid: tgid,
        tid,
        ppid,
        uid,
        gid,
        ts_ns,
        cgroup_id: 0,
        comm,
        pcomm,
        cgroups,
        path: info.exe,
        args: info.args,
        cwd: info.cwd,
        args_truncated: false,
        a0: 0,
        a1: 0,
        addr: None,
        tty: std::fs::read_to_string(format!("{dir}/stat")).map_or(0, |s| stat_tty_nr(&s)),
        loginuid: std::fs::read_to_string(format!("{dir}/loginuid"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(u32::MAX),
        cap_effective: status_caps(&status, "CapEff:"),
        cap_permitted: status_caps(&status, "CapPrm:"),
        ..Default::default()
    })
}

/// An exit as a [`NodeEvent`] (the thread group leader's only; other threads' exits are not
/// process exits).
pub fn exit_event(pid: u32, tgid: u32, code: u32, ts_ns: u64) -> Option<NodeEvent> {
    (pid == tgid).then(|| NodeEvent {
        kind: Kind::Exit,
        pid: tgid,
        tid: pid,
        ppid: 0,
        uid: 0,
        gid: 0,
        ts_ns,
        cgroup_id: 0,
        comm: String::new(),
        pcomm: String::new(),
        cgroups: Vec::new(),
        path: None,
        args: Vec::new(),
        cwd: None,
        args_truncated: false,
        a0: i64::from(code),
        a1: 0,
        addr: None,
        ..Default::default()
    })
}

#[derive(Debug, thiserror::Error)]
pub enum NetlinkError {
    #[error("netlink process connector: {context}: {source}{}", capability_hint(source.raw_os_error()))]
    Io {
        context: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "netlink process connector: the kernel refused the subscription: {}{}",
        std::io::Error::from_raw_os_error(*errno as i32),
        capability_hint(Some(*errno as i32))
    )]
    Refused { errno: u32 },
}

const EPERM: i32 = 1;
const EACCES: i32 = 13;

/// The capability a refusal points at: only a permission error is about capabilities.
fn capability_hint(errno: Option<i32>) -> &'static str {
    match errno {
        Some(EPERM | EACCES) => " (this kernel needs CAP_NET_ADMIN for the process connector)",
        _ => "",
    }
}

/// A read that found nothing: the receive timeout passed, or a signal arrived.
fn is_quiet(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock
            | std::io::ErrorKind::TimedOut
            | std::io::ErrorKind::Interrupted
    )
}

/// How long [`NetlinkCollector::open`] waits for the kernel's answer to the subscription.
const SUBSCRIPTION_ANSWER: Duration = Duration::from_secs(1);

fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> NetlinkError {
    move |source| NetlinkError::Io { context, source }
}

/// Counts of a netlink run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetlinkStats {
    /// Datagrams the kernel could not queue (ENOBUFS / NLMSG_OVERRUN).
    pub overruns: u64,
    /// Datagrams that did not parse.
    pub malformed: u64,
    /// Execs whose process was gone before `/proc` could be read.
    pub vanished: u64,
}

/// A subscribed process connector socket.
pub struct NetlinkCollector {
    sock: netlink_sys::Socket,
}

impl std::fmt::Debug for NetlinkCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NetlinkCollector").finish_non_exhaustive()
    }
}

impl NetlinkCollector {
    pub fn open() -> Result<NetlinkCollector, NetlinkError> {
        use netlink_sys::{protocols::NETLINK_CONNECTOR, Socket, SocketAddr};
        let mut sock = Socket::new(NETLINK_CONNECTOR).map_err(io("socket"))?;
        sock.bind(&SocketAddr::new(0, CN_IDX_PROC))
            .map_err(io("binding to the proc multicast group"))?;
        let mut addr = SocketAddr::new(0, 0);
        sock.get_address(&mut addr).map_err(io("getsockname"))?;
        // A large receive buffer rides out bursts of execs (capped by net.core.rmem_max).
        let _ = sock.set_rx_buf_sz(8 << 20);
        // Blocking reads with a timeout: an exec is read from /proc as soon as it is
        // announced (short-lived processes are gone within milliseconds), and the loop still
        // wakes up to look at its stop condition.
        nix::sys::socket::setsockopt(
            &sock,
            nix::sys::socket::sockopt::ReceiveTimeout,
            &nix::sys::time::TimeVal::new(0, 100_000),
        )
        .map_err(|e| io("receive timeout")(std::io::Error::from(e)))?;
        sock.send(&subscription(addr.port_number(), PROC_CN_MCAST_LISTEN), 0)
            .map_err(io("subscribing"))?;
        let collector = NetlinkCollector { sock };
        collector.await_subscription_answer()?;
        Ok(collector)
    }

    /// The kernel answers a subscription with an acknowledgement carrying an errno; kernels
    /// that reserve the connector for CAP_NET_ADMIN answer EPERM here even when the bind
    /// worked. Events read while waiting are dropped: collection has not started yet.
    fn await_subscription_answer(&self) -> Result<(), NetlinkError> {
        let deadline = Instant::now() + SUBSCRIPTION_ANSWER;
        let mut buf: Vec<u8> = Vec::with_capacity(64 << 10);
        while Instant::now() < deadline {
            buf.clear();
            match self.sock.recv(&mut buf, 0) {
                Ok(_) => {
                    let Ok(datagram) = parse(&buf) else { continue };
                    for m in datagram.messages {
                        if let ProcEvent::Ack { err } = m.event {
                            return match err {
                                0 => Ok(()),
                                errno => Err(NetlinkError::Refused { errno }),
                            };
                        }
                    }
                }
                Err(e) if is_quiet(&e) => {}
                Err(e) => return Err(io("waiting for the subscription's answer")(e)),
            }
        }
        // Kernels that do not acknowledge: events will tell whether the subscription worked.
        tracing::debug!("no answer to the process connector subscription within 1 s");
        Ok(())
    }

    /// Reads events until `until` or `stop`; `on_event` gets each exec and exit, `on_tick`
    /// runs about once a second with the counts so far.
    pub fn run(
        &self,
        until: Option<Instant>,
        stop: &dyn Fn() -> bool,
        on_event: &mut dyn FnMut(NodeEvent),
        on_tick: &mut dyn FnMut(&NetlinkStats),
    ) -> Result<NetlinkStats, NetlinkError> {
        let mut stats = NetlinkStats::default();
        let mut buf: Vec<u8> = Vec::with_capacity(64 << 10);
        let mut last_tick = Instant::now();
        loop {
            if stop() || until.is_some_and(|u| Instant::now() >= u) {
                break;
            }
            buf.clear();
            match self.sock.recv(&mut buf, 0) {
                Ok(_) => match parse(&buf) {
                    Ok(d) => {
                        if d.overrun {
                            stats.overruns += 1;
                        }
                        for m in d.messages {
                            match m.event {
                                ProcEvent::Exec { pid, tgid } => {
                                    match exec_event(tgid, pid, m.ts_ns) {
                                        Some(e) => on_event(e),
                                        None => stats.vanished += 1,
                                    }
                                }
                                ProcEvent::Exit {
                                    pid, tgid, code, ..
                                } => {
                                    if let Some(e) = exit_event(pid, tgid, code, m.ts_ns) {
                                        on_event(e);
                                    }
                                }
                                ProcEvent::Ack { err } if err != 0 => {
                                    tracing::warn!(
                                        err,
                                        "process connector refused the subscription"
                                    );
                                }
                                _ => {}
                            }
                        }
                    }
                    Err(e) => {
                        stats.malformed += 1;
                        tracing::debug!("netlink datagram: {e}");
                    }
                },
                Err(e) if is_quiet(&e) => {}
                // ENOBUFS: the socket's buffer overflowed; events were lost.
                Err(e) if e.raw_os_error() == Some(105) => stats.overruns += 1,
                Err(e) => return Err(io("receiving")(e)),
            }
            if last_tick.elapsed() >= Duration::from_secs(1) {
                last_tick = Instant::now();
                on_tick(&stats);
            }
        }
        on_tick(&stats);
        Ok(stats)
    }
}

impl Drop for NetlinkCollector {
    fn drop(&mut self) {
        let _ = self.sock.send(&subscription(0, PROC_CN_MCAST_IGNORE), 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_of_every_event() {
        let msgs = vec![
            Message {
                cpu: 1,
                ts_ns: 99,
                event: ProcEvent::Ack { err: 0 },
            },
            Message {
                cpu: 0,
                ts_ns: 100,
                event: ProcEvent::Fork {
                    parent_pid: 10,
                    parent_tgid: 10,
                    child_pid: 11,
                    child_tgid: 11,
                },
            },
            Message {
                cpu: 3,
                ts_ns: 101,
                event: ProcEvent::Exec { pid: 11, tgid: 11 },
            },
            Message {
                cpu: 2,
                ts_ns: 102,
                event: ProcEvent::Exit {
                    pid: 11,
                    tgid: 11,
                    code: 256,
                    signal: 17,
                },
            },
            Message {
                cpu: 2,
                ts_ns: 103,
                event: ProcEvent::Other { what: 0x200 },
            },
        ];
        let d = parse(&encode(&msgs)).unwrap();
        assert_eq!(d.messages, msgs);
        assert!(!d.overrun);
    }

    #[test]
    fn malformed_datagrams_are_errors() {
        let good = encode(&[Message {
            cpu: 0,
            ts_ns: 1,
            event: ProcEvent::Exec { pid: 5, tgid: 5 },
        }]);
        // Cut anywhere: an error or fewer messages, never a panic.
        for n in 0..good.len() {
            if let Ok(d) = parse(&good[..n]) {
                assert!(d.messages.is_empty(), "cut at {n}");
            }
        }
        // A length past the end.
        let mut long = good.clone();
        long[0..4].copy_from_slice(&1000u32.to_ne_bytes());
        assert!(matches!(parse(&long), Err(ParseError::Length { .. })));
        // A length below the header (would loop forever if accepted).
        let mut zero = good.clone();
        zero[0..4].copy_from_slice(&0u32.to_ne_bytes());
        assert!(matches!(parse(&zero), Err(ParseError::Length { .. })));
        // A connector length past the netlink payload.
        let mut cn = good.clone();
        cn[32..34].copy_from_slice(&500u16.to_ne_bytes());
        assert!(matches!(parse(&cn), Err(ParseError::Connector(16))));
        // An exec event without its pids.
        let mut short = good.clone();
        short[32..34].copy_from_slice(&16u16.to_ne_bytes());
        assert!(matches!(parse(&short), Err(ParseError::Event { .. })));
        // Another connector (not the process one) is skipped.
        let mut other = good.clone();
        other[16..20].copy_from_slice(&7u32.to_ne_bytes());
        assert_eq!(parse(&other).unwrap().messages, vec![]);
        // A netlink error.
        let mut err = vec![0u8; 20];
        err[0..4].copy_from_slice(&20u32.to_ne_bytes());
        err[4..6].copy_from_slice(&NLMSG_ERROR.to_ne_bytes());
        err[16..20].copy_from_slice(&(-1i32).to_ne_bytes());
        assert_eq!(parse(&err), Err(ParseError::Netlink(-1)));
    }

    #[test]
    fn only_a_permission_error_names_cap_net_admin() {
        let eperm = NetlinkError::Io {
            context: "binding to the proc multicast group",
            source: std::io::Error::from_raw_os_error(EPERM),
        };
        assert!(eperm.to_string().contains("needs CAP_NET_ADMIN"), "{eperm}");
        let refused = NetlinkError::Refused { errno: 1 };
        assert!(refused.to_string().contains("refused the subscription"));
        assert!(
            refused.to_string().contains("needs CAP_NET_ADMIN"),
            "{refused}"
        );
        let other = NetlinkError::Io {
            context: "receiving",
            source: std::io::Error::from_raw_os_error(105),
        };
        assert!(!other.to_string().contains("CAP_NET_ADMIN"), "{other}");
    }

    #[test]
    fn subscription_layout() {
        let s = subscription(42, PROC_CN_MCAST_LISTEN);
        assert_eq!(s.len(), 40);
        assert_eq!(u32_at(&s, 0), Some(40));
        assert_eq!(u16_at(&s, 4), Some(NLMSG_DONE));
        assert_eq!(u32_at(&s, 12), Some(42));
        assert_eq!(u32_at(&s, 16), Some(CN_IDX_PROC));
        assert_eq!(u16_at(&s, 32), Some(4));
        assert_eq!(u32_at(&s, 36), Some(PROC_CN_MCAST_LISTEN));
    }

    #[test]
    fn status_fields() {
        let s = "Name:\tbash\nPPid:\t41\nUid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\n";
        assert_eq!(status_ids(s), (1000, 100, Some(41)));
        assert_eq!(status_ids(""), (u32::MAX, u32::MAX, None));
    }

    #[test]
    fn exec_event_of_this_process() {
        let me = std::process::id();
        let e = exec_event(me, me, 7).unwrap();
        assert_eq!(e.kind, Kind::Exec);
        assert_eq!(e.ppid, std::os::unix::process::parent_id());
        assert!(e.path.as_deref().is_some_and(|p| p.starts_with('/')));
        assert!(!e.args.is_empty());
        assert!(!e.cgroups.is_empty());
        assert_eq!(e.uid, nix_uid());
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        assert_eq!(e.cap_effective, status_caps(&status, "CapEff:"));
        assert!(exec_event(u32::MAX - 1, 1, 0).is_none());
        assert!(exit_event(11, 10, 0, 0).is_none(), "a thread's exit");
        assert_eq!(exit_event(10, 10, 256, 0).unwrap().a0, 256);
    }

    #[test]
    fn tty_and_caps_from_proc_text() {
        let stat = "4242 (a (b) c) S 1 4242 4242 34816 4242 4194560 0";
        assert_eq!(stat_tty_nr(stat), 34816, "pts/0");
        assert_eq!(stat_tty_nr("7 (sh) S 1 7 7 0 -1 0"), 0);
        assert_eq!(stat_tty_nr("garbage"), 0);
        let status = "Name:\tsh\nCapPrm:\t00000000a80425fb\nCapEff:\t0000000000000000\n";
        assert_eq!(status_caps(status, "CapPrm:"), 0xa80425fb);
        assert_eq!(status_caps(status, "CapEff:"), 0);
        assert_eq!(status_caps(status, "CapBnd:"), 0);
    }

    fn nix_uid() -> u32 {
        let s = std::fs::read_to_string("/proc/self/status").unwrap();
        status_ids(&s).0
    }
}
