//! The `syscall` event source: node events with the field names Falco's syscall rules use,
//! read from a [`NodeRecord`] (a kernel event plus what user space knows about its process
//! and container).

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

use palisade_rules::{Event, FieldError, FieldSource, FieldSpec, Value, Values};

use crate::cgroup::Attribution;
use crate::decode::{Kind, NodeEvent};
use crate::metadata::ContainerInfo;

/// The rule `source` of node rules (Falco's name for it).
pub const SOURCE: &str = "syscall";

/// How far up `proc.aname[N]` looks.
pub const MAX_ANCESTORS: usize = 8;

/// One event with its process and container context.
#[derive(Debug, Clone, Copy)]
pub struct NodeRecord<'a> {
    pub event: &'a NodeEvent,
    /// The process's executable path (the event's own for exec events).
    pub exe: Option<&'a str>,
    /// The process's argv (argv[0] first).
    pub args: &'a [String],
    /// The process's working directory when it exec'd.
    pub cwd: Option<&'a str>,
    /// Ancestor names: parent first.
    pub ancestors: &'a [&'a str],
    pub attribution: &'a Attribution,
    pub container: Option<&'a ContainerInfo>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    EvtType,
    EvtDir,
    EvtIsOpenRead,
    EvtIsOpenWrite,
    EvtIsOpenExec,
    EvtArgFlags,
    EvtArgRequest,
    EvtArgUid,
    EvtArgExitCode,
    ProcName,
    ProcExe,
    ProcExepath,
    ProcCmdline,
    ProcArgs,
    ProcCwd,
    ProcPid,
    ProcPpid,
    ProcPname,
    ProcAname,
    ProcTid,
    UserUid,
    UserName,
    GroupGid,
    FdName,
    FdDirectory,
    FdFilename,
    FdTypechar,
    FdType,
    FdSip,
    FdSport,
    FdRip,
    FdRport,
    ContainerId,
    ContainerFullId,
    ContainerName,
    ContainerImage,
    ContainerImageRepository,
    ContainerImageTag,
    ContainerImageDigest,
    ContainerPrivileged,
    K8sPodName,
    K8sNsName,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arg {
    None,
    Optional,
}

/// Every supported field: name, accessor, argument, description.
const FIELDS: &[(&str, F, Arg, &str)] = &[
    ("evt.type", F::EvtType, Arg::None, "system call (execve, procexit, openat, connect, ptrace, init_module, finit_module, setuid, setreuid, setresuid)"),
    ("evt.dir", F::EvtDir, Arg::None, "`<` for exec and exit (seen after the fact), `>` for system calls seen on entry"),
    ("evt.is_open_read", F::EvtIsOpenRead, Arg::None, "an open for reading"),
    ("evt.is_open_write", F::EvtIsOpenWrite, Arg::None, "an open for writing (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC)"),
    ("evt.is_open_exec", F::EvtIsOpenExec, Arg::None, "an open that creates a file with an execute bit"),
    ("evt.arg.flags", F::EvtArgFlags, Arg::None, "open flags as text (O_RDONLY|O_CLOEXEC)"),
    ("evt.arg.request", F::EvtArgRequest, Arg::None, "ptrace request (PTRACE_ATTACH, ...)"),
    ("evt.arg.uid", F::EvtArgUid, Arg::None, "the uid a setuid call asks for"),
    ("evt.arg.status", F::EvtArgExitCode, Arg::None, "exit status"),
    ("proc.name", F::ProcName, Arg::None, "process name (comm, 15 characters at most)"),
    ("proc.exe", F::ProcExe, Arg::None, "argv[0]"),
    ("proc.exepath", F::ProcExepath, Arg::None, "path of the executable"),
    ("proc.cmdline", F::ProcCmdline, Arg::None, "name and arguments"),
    ("proc.args", F::ProcArgs, Arg::None, "arguments (argv[1..]) joined by spaces"),
    ("proc.cwd", F::ProcCwd, Arg::None, "working directory at exec (within its mount)"),
    ("proc.pid", F::ProcPid, Arg::None, "process id"),
    ("proc.tid", F::ProcTid, Arg::None, "thread id"),
    ("proc.ppid", F::ProcPpid, Arg::None, "parent process id"),
    ("proc.pname", F::ProcPname, Arg::None, "parent process name"),
    ("proc.aname", F::ProcAname, Arg::Optional, "ancestor name: [1] parent, [2] grandparent...; without an index, every ancestor"),
    ("user.uid", F::UserUid, Arg::None, "user id"),
    ("user.name", F::UserName, Arg::None, "user name (root for uid 0; the uid otherwise)"),
    ("group.gid", F::GroupGid, Arg::None, "group id"),
    ("fd.name", F::FdName, Arg::None, "file path, or ip:port of a connection's remote end"),
    ("fd.directory", F::FdDirectory, Arg::None, "directory of the file"),
    ("fd.filename", F::FdFilename, Arg::None, "file name without the directory"),
    ("fd.typechar", F::FdTypechar, Arg::None, "f file, 4 IPv4, 6 IPv6"),
    ("fd.type", F::FdType, Arg::None, "file, ipv4, ipv6"),
    ("fd.sip", F::FdSip, Arg::None, "server address of a connection (the destination of a connect)"),
    ("fd.sport", F::FdSport, Arg::None, "server port of a connection"),
    ("fd.rip", F::FdRip, Arg::None, "remote address of a connection"),
    ("fd.rport", F::FdRport, Arg::None, "remote port of a connection"),
    ("container.id", F::ContainerId, Arg::None, "container id, 12 characters (`host` for host processes)"),
    ("container.full_id", F::ContainerFullId, Arg::None, "container id, 64 characters"),
    ("container.name", F::ContainerName, Arg::None, "container name (`host` for host processes)"),
    ("container.image", F::ContainerImage, Arg::None, "image reference the container was created from"),
    ("container.image.repository", F::ContainerImageRepository, Arg::None, "image repository"),
    ("container.image.tag", F::ContainerImageTag, Arg::None, "image tag"),
    ("container.image.digest", F::ContainerImageDigest, Arg::None, "image digest"),
    ("container.privileged", F::ContainerPrivileged, Arg::None, "whether the container is privileged"),
    ("k8s.pod.name", F::K8sPodName, Arg::None, "Kubernetes pod name"),
    ("k8s.ns.name", F::K8sNsName, Arg::None, "Kubernetes namespace"),
];

/// The field list (name, description) for documentation and `rules fields`.
pub fn field_docs() -> impl Iterator<Item = (&'static str, &'static str)> {
    FIELDS.iter().map(|(n, _, _, d)| (*n, *d))
}

/// The `syscall` source schema.
#[derive(Debug, Clone, Copy, Default)]
pub struct NodeFields;

impl FieldSource for NodeFields {
    fn source(&self) -> &str {
        SOURCE
    }

    fn resolve(&self, name: &str, arg: Option<&str>) -> Result<FieldSpec, FieldError> {
        let (i, (_, f, a, _)) = FIELDS
            .iter()
            .enumerate()
            .find(|(_, (n, ..))| *n == name)
            .ok_or_else(|| FieldError::Unsupported(name.to_string()))?;
        match (a, arg) {
            (Arg::None, Some(_)) => Err(FieldError::Argument {
                field: name.into(),
                message: "takes no argument".into(),
            }),
            (Arg::Optional, Some(x)) if *f == F::ProcAname => match x.parse::<usize>() {
                Ok(n) if (1..=MAX_ANCESTORS).contains(&n) => Ok(FieldSpec {
                    id: i as u32,
                    arg: Some(Arc::from(x)),
                    name: Arc::from(format!("{name}[{x}]")),
                }),
                _ => Err(FieldError::Argument {
                    field: name.into(),
                    message: format!("index must be 1..={MAX_ANCESTORS}"),
                }),
            },
            _ => Ok(FieldSpec {
                id: i as u32,
                arg: None,
                name: Arc::from(name),
            }),
        }
    }

    fn index_field(&self) -> Option<&str> {
        Some("evt.type")
    }
}

/// Falco's name for the event's system call.
pub fn evt_type(e: &NodeEvent) -> &'static str {
    match e.kind {
        Kind::Exec => "execve",
        Kind::Exit => "procexit",
        Kind::Open => "openat",
        Kind::Connect => "connect",
        Kind::Ptrace => "ptrace",
        Kind::Module => {
            if e.a0 == 313 {
                "finit_module"
            } else {
                "init_module"
            }
        }
        Kind::Setuid => match e.a1 {
            113 => "setreuid",
            117 => "setresuid",
            _ => "setuid",
        },
    }
}

const O_WRONLY: i64 = 0o1;
const O_RDWR: i64 = 0o2;
const O_CREAT: i64 = 0o100;
const O_TRUNC: i64 = 0o1000;

/// Open flags as Falco prints them.
pub fn flags_text(flags: i64) -> String {
    const NAMES: &[(i64, &str)] = &[
        (0o100, "O_CREAT"),
        (0o200, "O_EXCL"),
        (0o400, "O_NOCTTY"),
        (0o1000, "O_TRUNC"),
        (0o2000, "O_APPEND"),
        (0o4000, "O_NONBLOCK"),
        (0o200000, "O_DIRECTORY"),
        (0o400000, "O_NOFOLLOW"),
        (0o2000000, "O_CLOEXEC"),
        (0o20000000, "O_TMPFILE"),
    ];
    let mut out = String::from(match flags & 3 {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    });
    for (bit, name) in NAMES {
        if flags & bit != 0 {
            out.push('|');
            out.push_str(name);
        }
    }
    out
}

fn ptrace_request(r: i64) -> Cow<'static, str> {
    Cow::Borrowed(match r {
        0 => "PTRACE_TRACEME",
        1 => "PTRACE_PEEKTEXT",
        2 => "PTRACE_PEEKDATA",
        4 => "PTRACE_POKETEXT",
        5 => "PTRACE_POKEDATA",
        16 => "PTRACE_ATTACH",
        17 => "PTRACE_DETACH",
        0x4206 => "PTRACE_SEIZE",
        _ => return Cow::Owned(format!("{r}")),
    })
}

fn s(v: &str) -> Values<'_> {
    Values::One(Value::Str(Cow::Borrowed(v)))
}
fn owned(v: String) -> Values<'static> {
    Values::One(Value::Str(Cow::Owned(v)))
}
fn int(v: i64) -> Values<'static> {
    Values::One(Value::Int(v))
}
fn b(v: bool) -> Values<'static> {
    Values::One(Value::Bool(v))
}

impl NodeRecord<'_> {
    pub fn container_id(&self) -> Option<&str> {
        self.attribution.container_id()
    }

    fn is_open(&self) -> bool {
        self.event.kind == Kind::Open
    }

    fn is_write(&self) -> bool {
        self.event.a0 & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC) != 0
    }

    fn remote(&self) -> Option<(IpAddr, i64)> {
        match (self.event.kind, self.event.addr) {
            (Kind::Connect, Some(a)) => Some((a, self.event.a1)),
            _ => None,
        }
    }

    fn file(&self) -> Option<&str> {
        match self.event.kind {
            Kind::Open => self.event.path.as_deref(),
            _ => None,
        }
    }
}

impl Event for NodeRecord<'_> {
    fn extract(&self, field: &FieldSpec) -> Values<'_> {
        let Some((_, f, _, _)) = FIELDS.get(field.id as usize) else {
            return Values::Missing;
        };
        let e = self.event;
        let container = |get: fn(&ContainerInfo) -> Option<&String>| match self.container {
            Some(c) => get(c).map_or(Values::Missing, |v| s(v)),
            None if self.container_id().is_none() => s("host"),
            None => Values::Missing,
        };
        match f {
            F::EvtType => s(evt_type(e)),
            F::EvtDir => s(if matches!(e.kind, Kind::Exec | Kind::Exit) {
                "<"
            } else {
                ">"
            }),
            F::EvtIsOpenRead => b(self.is_open() && e.a0 & 3 != O_WRONLY),
            F::EvtIsOpenWrite => b(self.is_open() && self.is_write()),
            F::EvtIsOpenExec => b(self.is_open() && e.a0 & O_CREAT != 0 && e.a1 & 0o111 != 0),
            F::EvtArgFlags if self.is_open() => owned(flags_text(e.a0)),
            F::EvtArgRequest if e.kind == Kind::Ptrace => {
                Values::One(Value::Str(ptrace_request(e.a0)))
            }
            F::EvtArgUid if e.kind == Kind::Setuid => int(e.a0),
            F::EvtArgExitCode if e.kind == Kind::Exit => int(e.a0),
            F::EvtArgFlags | F::EvtArgRequest | F::EvtArgUid | F::EvtArgExitCode => Values::Missing,
            F::ProcName => s(&e.comm),
            F::ProcExe => self.args.first().map_or(Values::Missing, |a| s(a)),
            F::ProcExepath => self.exe.map_or(Values::Missing, s),
            F::ProcCmdline => {
                let mut out = e.comm.clone();
                for a in self.args.iter().skip(1) {
                    out.push(' ');
                    out.push_str(a);
                }
                owned(out)
            }
            F::ProcArgs => owned(self.args.get(1..).unwrap_or_default().join(" ")),
            F::ProcCwd => self.cwd.map_or(Values::Missing, s),
            F::ProcPid => int(e.pid.into()),
            F::ProcTid => int(e.tid.into()),
            F::ProcPpid => int(e.ppid.into()),
            F::ProcPname => {
                if e.pcomm.is_empty() {
                    Values::Missing
                } else {
                    s(&e.pcomm)
                }
            }
            F::ProcAname => match field.arg.as_deref().and_then(|a| a.parse::<usize>().ok()) {
                Some(1) if !e.pcomm.is_empty() => s(&e.pcomm),
                Some(n) => self.ancestors.get(n - 1).map_or(Values::Missing, |a| s(a)),
                None => Values::Many(
                    self.ancestors
                        .iter()
                        .map(|a| Value::Str(Cow::Borrowed(*a)))
                        .collect(),
                ),
            },
            F::UserUid => int(e.uid.into()),
            F::UserName => {
                if e.uid == 0 {
                    s("root")
                } else {
                    owned(e.uid.to_string())
                }
            }
            F::GroupGid => int(e.gid.into()),
            F::FdName => match (self.file(), self.remote()) {
                (Some(p), _) => s(p),
                (None, Some((a, p))) => owned(match a {
                    IpAddr::V4(a) => format!("{a}:{p}"),
                    IpAddr::V6(a) => format!("[{a}]:{p}"),
                }),
                _ => Values::Missing,
            },
            F::FdDirectory => match self.file().and_then(|p| p.rsplit_once('/')) {
                Some(("", _)) => s("/"),
                Some((d, _)) => s(d),
                None => Values::Missing,
            },
            F::FdFilename => match self.file() {
                Some(p) => s(p.rsplit('/').next().unwrap_or(p)),
                None => Values::Missing,
            },
            F::FdTypechar | F::FdType => {
                let (c, t) = match (self.file(), self.remote()) {
                    (Some(_), _) => ("f", "file"),
                    (None, Some((IpAddr::V4(_), _))) => ("4", "ipv4"),
                    (None, Some((IpAddr::V6(_), _))) => ("6", "ipv6"),
                    _ => return Values::Missing,
                };
                s(if *f == F::FdTypechar { c } else { t })
            }
            F::FdSip | F::FdRip => self
                .remote()
                .map_or(Values::Missing, |(a, _)| owned(a.to_string())),
            F::FdSport | F::FdRport => self.remote().map_or(Values::Missing, |(_, p)| int(p)),
            F::ContainerId => match self.container_id() {
                Some(id) => s(&id[..id.len().min(12)]),
                None => s("host"),
            },
            F::ContainerFullId => match self.container_id() {
                Some(id) => s(id),
                None => s("host"),
            },
            F::ContainerName => container(|c| c.name.as_ref()),
            F::ContainerImage => container(|c| c.image.as_ref()),
            F::ContainerImageRepository => container(|c| c.image_repository.as_ref()),
            F::ContainerImageTag => container(|c| c.image_tag.as_ref()),
            F::ContainerImageDigest => container(|c| c.image_digest.as_ref()),
            F::ContainerPrivileged => match self.container.and_then(|c| c.privileged) {
                Some(p) => b(p),
                None => Values::Missing,
            },
            F::K8sPodName => self
                .container
                .and_then(|c| c.pod_name.as_deref())
                .map_or(Values::Missing, s),
            F::K8sNsName => self
                .container
                .and_then(|c| c.pod_namespace.as_deref())
                .map_or(Values::Missing, s),
        }
    }

    fn index_key(&self) -> Option<&str> {
        Some(evt_type(self.event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_resolves() {
        for (name, ..) in FIELDS {
            NodeFields.resolve(name, None).unwrap();
        }
        assert!(NodeFields.resolve("proc.aname", Some("2")).is_ok());
        assert!(NodeFields.resolve("proc.aname", Some("0")).is_err());
        assert!(NodeFields.resolve("proc.aname", Some("x")).is_err());
        assert!(NodeFields.resolve("proc.name", Some("1")).is_err());
        assert!(NodeFields.resolve("proc.nope", None).is_err());
    }

    #[test]
    fn flags() {
        assert_eq!(flags_text(0), "O_RDONLY");
        assert_eq!(flags_text(0o2000000), "O_RDONLY|O_CLOEXEC");
        assert_eq!(
            flags_text(0o1 | 0o100 | 0o400 | 0o4000),
            "O_WRONLY|O_CREAT|O_NOCTTY|O_NONBLOCK"
        );
    }
}
