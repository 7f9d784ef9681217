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

/// Rule ids raised by the event (after the process's own exec, so the table knows it).
fn hits(events: &[Ev]) -> BTreeSet<String> {
    let (engine, diags) = builtin_engine();
    assert!(diags.is_empty(), "{diags:?}");
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
            vec![exec("bash -i")],
            vec![exec("bash -i").host()],
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
    ]
}

/// Marks an event as coming from the privileged container (see `hits`).
fn privileged(mut e: Ev) -> Ev {
    e.0.cgroups[0] = PRIV.into();
    e
}

#[test]
fn every_rule_has_a_positive_and_a_negative_case() {
    let (engine, _) = builtin_engine();
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
