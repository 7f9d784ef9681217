//! Quiet by default: ordinary container workloads, run for real under the default rules and
//! the eBPF collector, raise no alert. Entry-point shells and the scripts they run, web
//! servers answering requests, job loops, a Python and a Java application (the host's own
//! interpreters mounted read-only), services writing logs and temporary files, log rotation,
//! health probes run with `docker exec` without a terminal... The same test shows that a
//! terminal shell (`docker exec -t`) in one of them is still reported, so the quiet is not
//! blindness. Needs root, a BTF kernel, dockerd, the test rootfs, python3 and a JDK (both
//! installed by .ci/run); never skips.

mod sensor_support;

use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use std::io::{Read, Write};

use sensor_support::{docker, ensure_image, Containers, Sensor, IMAGE};

/// A request to a server that may not be listening yet: whether it answered 200.
fn answered(port: u16) -> bool {
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
    let mut buf = String::new();
    write!(s, "GET /health HTTP/1.0\r\nHost: x\r\n\r\n").is_ok()
        && s.read_to_string(&mut buf).is_ok()
        && buf.starts_with("HTTP/1.0 200")
}

/// How long every workload runs.
const RUN_SECONDS: u64 = 20;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The host's JDK and Python, to mount read-only into the Debian test image (same release,
/// same libc): real language runtimes without building another image.
fn runtimes() -> (String, String, String) {
    let java = std::fs::canonicalize("/usr/bin/java").expect("a JDK (openjdk-17-jdk-headless)");
    let jvm_home = java
        .ancestors()
        .nth(2)
        .expect("JAVA_HOME above bin/java")
        .to_path_buf();
    let python = std::fs::canonicalize("/usr/bin/python3").expect("Debian's python3");
    let version = python.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        Path::new(&format!("/usr/lib/{version}")).is_dir(),
        "{version}'s library"
    );
    (
        jvm_home.display().to_string(),
        python.display().to_string(),
        version,
    )
}

/// The shared libraries `binary` links that the test image lacks (per `ldd`), to mount beside
/// it.
fn libraries_missing_from_image(binary: &str) -> Vec<String> {
    let rootfs = std::env::var_os("PALISADE_TEST_IMAGES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-images"))
        .join("rootfs");
    let out = std::process::Command::new("ldd")
        .arg(binary)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split("=>").nth(1)?.split_whitespace().next())
        .filter(|lib| lib.starts_with('/'))
        .filter(|lib| !rootfs.join(lib.trim_start_matches('/')).exists())
        .map(|lib| format!("{lib}:{lib}:ro"))
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// The scripts and programs the workloads run, mounted at /app as a ConfigMap would be.
fn app_dir(web_port: u16, py_port: u16) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "entrypoint.sh",
        "#!/bin/sh\nset -e\necho \"starting $APP_NAME\"\nmkdir -p /tmp/app\n\
         sed 's/PORT/8080/' /app/config.tmpl > /tmp/app/config\n\
         for i in 1 2 3; do date; sleep 1; done\nexec sleep 30\n",
    );
    write(d, "config.tmpl", "listen PORT\nworkers 2\n");
    write(
        d,
        "server.pl",
        &format!(
            "use IO::Socket::INET;\nmy $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', \
             LocalPort => {web_port}, Listen => 16, ReuseAddr => 1) or die $!;\n\
             while (my $c = $s->accept) {{ my $req = <$c>; print $c \"HTTP/1.0 200 OK\\r\\n\
             Content-Type: text/plain\\r\\n\\r\\nhello\\n\"; close $c; }}\n"
        ),
    );
    write(
        d,
        "client.pl",
        &format!(
            "use IO::Socket::INET;\nfor (1..10) {{ my $c = IO::Socket::INET->new(PeerAddr => \
             '127.0.0.1', PeerPort => {web_port}) or next; print $c \"GET / HTTP/1.0\\r\\n\\r\\n\"; \
             my @r = <$c>; close $c; sleep 1; }}\n"
        ),
    );
    write(
        d,
        "app.py",
        &format!(
            "import http.server, json, os, tempfile, time, logging\n\
             logging.basicConfig(filename='/tmp/app.log', level=logging.INFO)\n\
             class H(http.server.BaseHTTPRequestHandler):\n    def do_GET(self):\n\
             \x20       body = json.dumps({{'ok': True, 'pid': os.getpid()}}).encode()\n\
             \x20       self.send_response(200); self.end_headers(); self.wfile.write(body)\n\
             \x20       logging.info('served %s', self.path)\n\
             with tempfile.NamedTemporaryFile() as f: f.write(b'cache')\n\
             http.server.HTTPServer(('127.0.0.1', {py_port}), H).serve_forever()\n"
        ),
    );
    write(
        d,
        "Worker.java",
        "import java.nio.file.*;\npublic class Worker {\n  public static void main(String[] a) \
         throws Exception {\n    Path log = Files.createTempFile(\"worker\", \".log\");\n\
         \x20   for (int i = 0; i < 15; i++) {\n      long sum = 0; for (int j = 0; j < 1000000; j++) \
         sum += j % 7;\n      Files.writeString(log, \"tick \" + i + \" \" + sum + \"\\n\", \
         StandardOpenOption.APPEND);\n      Thread.sleep(1000);\n    }\n  }\n}\n",
    );
    write(
        d,
        "rotate.sh",
        "#!/bin/sh\nmkdir -p /var/log/app\nfor i in 1 2 3 4 5; do\n\
         \x20 for j in 1 2 3; do echo \"line $i $j\" >> /var/log/app/app.log; done\n\
         \x20 mv /var/log/app/app.log /var/log/app/app.log.$i\n\
         \x20 gzip -f /var/log/app/app.log.$i\n  sleep 1\ndone\nls -l /var/log/app\nsleep 20\n",
    );
    dir
}

#[test]
// The alert rate is the figure this test exists to report.
#[allow(clippy::print_stderr)]
fn ordinary_workloads_raise_no_alert() {
    ensure_image();
    let (jvm_home, python, python_version) = runtimes();
    let web_port = free_port();
    let py_port = free_port();
    let app = app_dir(web_port, py_port);
    let app_mount = format!("{}:/app:ro", app.path().display());
    let sensor = Sensor::start(&[]);
    let tag = std::process::id();
    let name = |n: &str| format!("pal-benign-{tag}-{n}");
    let sleep = format!("sleep {RUN_SECONDS}");
    let jvm_mount = format!("{jvm_home}:{jvm_home}:ro");
    let jvm_conf = "/etc/java-17-openjdk:/etc/java-17-openjdk:ro";
    let java = format!("{jvm_home}/bin/java");
    let mut py_mounts = vec![
        format!("{python}:/usr/bin/python3:ro"),
        format!("/usr/lib/{python_version}:/usr/lib/{python_version}:ro"),
    ];
    py_mounts.extend(libraries_missing_from_image(&python));
    let py_flags: Vec<&str> = py_mounts.iter().flat_map(|m| ["-v", m.as_str()]).collect();
    let net = ["--network", "host"];
    let none = ["--network", "none"];
    let mount = ["-v", app_mount.as_str()];
    let workloads: Vec<(&str, Vec<&str>, Vec<&str>)> = vec![
        // Entry points as Kubernetes manifests write them.
        ("entrypoint-script", [&none[..], &mount, &["-e", "APP_NAME=shop"]].concat(), vec!["sh", "/app/entrypoint.sh"]),
        ("sh-c-command", none.to_vec(), vec!["sh", "-c", "echo booting; ls /etc >/dev/null; exec sleep 20"]),
        ("bash-c-loop", none.to_vec(), vec!["bash", "-c", "trap 'exit 0' TERM; for i in $(seq 20); do sleep 1; done"]),
        ("job-loop", none.to_vec(), vec!["sh", "-c", "for i in $(seq 10); do date >> /tmp/job.log; wc -l /tmp/job.log; sleep 2; done"]),
        ("sleep-forever", none.to_vec(), vec!["sleep", "25"]),
        ("tail-dev-null", none.to_vec(), vec!["timeout", "600", "tail", "-f", "/dev/null"]),
        // Servers answering requests, and a client calling one.
        ("perl-web-server", [&net[..], &mount].concat(), vec!["perl", "/app/server.pl"]),
        ("perl-client", [&net[..], &mount].concat(), vec!["sh", "-c", "sleep 2; exec perl /app/client.pl"]),
        // Language runtimes.
        ("python-app", [&net[..], &mount, &py_flags].concat(), vec!["python3", "/app/app.py"]),
        ("java-app", [&none[..], &mount, &["-v", &jvm_mount, "-v", jvm_conf]].concat(), vec![&java, "/app/Worker.java"]),
        // Services writing their own logs and temporary files; log rotation.
        ("log-writer", none.to_vec(), vec!["sh", "-c", "mkdir -p /var/log/svc; for i in $(seq 15); do echo \"$i ok\" >> /var/log/svc/out.log; t=$(mktemp); echo x > $t; rm $t; sleep 1; done"]),
        ("log-rotation", [&none[..], &mount].concat(), vec!["sh", "/app/rotate.sh"]),
        // Configuration rendered at start (an init step), then the main process.
        ("render-config", [&none[..], &mount].concat(), vec!["sh", "-c", "mkdir -p /tmp/conf && sed 's/PORT/9090/' /app/config.tmpl > /tmp/conf/app.conf && cat /tmp/conf/app.conf && exec sleep 20"]),
        ("env-config", [&none[..], &["-e", "MODE=prod", "-e", "LEVEL=info"]].concat(), vec!["sh", "-c", "env | sort > /tmp/env.txt; grep MODE /tmp/env.txt; exec sleep 20"]),
        // Hardened and non-root containers.
        ("non-root", [&none[..], &["--user", "1000:1000"]].concat(), vec!["sh", "-c", "id; echo $HOME; exec sleep 20"]),
        ("read-only-root", [&none[..], &["--read-only", "--tmpfs", "/tmp"]].concat(), vec!["sh", "-c", "echo data > /tmp/d; cat /tmp/d; exec sleep 20"]),
        ("no-new-privileges", [&none[..], &["--security-opt", "no-new-privileges", "--cap-drop", "ALL"]].concat(), vec!["sh", "-c", "exec sleep 20"]),
        // Batch work.
        ("checksums", none.to_vec(), vec!["sh", "-c", "sha256sum /usr/bin/* > /tmp/sums 2>/dev/null; wc -l /tmp/sums; exec sleep 20"]),
        ("archive", none.to_vec(), vec!["sh", "-c", "tar -czf /tmp/docs.tgz -C /usr/share doc 2>/dev/null; ls -l /tmp/docs.tgz; exec sleep 20"]),
        ("find-files", none.to_vec(), vec!["sh", "-c", "for i in 1 2 3; do find /usr/share -name '*.gz' | wc -l; sleep 2; done; exec sleep 15"]),
        ("perl-worker", none.to_vec(), vec!["perl", "-e", "for (1..15) { my $s = 0; $s += $_ for 1..100000; open my $f, '>>', '/tmp/w.log'; print $f \"$s\\n\"; close $f; sleep 1 }"]),
        // Health probes run with `docker exec` (no terminal), like exec probes.
        ("probed", none.to_vec(), vec!["sh", "-c", &sleep]),
    ];
    assert!(workloads.len() >= 20);
    let mut containers = Containers(Vec::new());
    let mut ids = Vec::new();
    for (n, flags, cmd) in &workloads {
        let cname = name(n);
        containers.0.push(cname.clone());
        let mut args = vec!["run", "-d", "--name", &cname];
        args.extend(flags.iter().copied());
        args.push(IMAGE);
        args.extend(cmd.iter().copied());
        let (ok, out) = docker(&args);
        assert!(ok, "{n}: {out}");
        ids.push(out.trim().to_string());
    }
    let started = Instant::now();
    // Traffic to the servers, probes into a container, while everything runs.
    let mut served = 0;
    let mut probes = 0;
    while started.elapsed() < Duration::from_secs(RUN_SECONDS - 4) {
        for port in [web_port, py_port] {
            if answered(port) {
                served += 1;
            }
        }
        let (ok, _) = docker(&[
            "exec",
            &name("probed"),
            "sh",
            "-c",
            "test -d /proc/1 && echo ok",
        ]);
        probes += usize::from(ok);
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(served >= 4, "the servers answered {served} requests");
    assert!(probes >= 3, "{probes} probes ran");
    for (n, _, _) in &workloads {
        let (_, state) = docker(&[
            "inspect",
            "-f",
            "{{.State.Status}} {{.State.ExitCode}}",
            &name(n),
        ]);
        assert!(
            state.starts_with("running") || state.trim() == "exited 0",
            "{n} failed: {state} {}",
            docker(&["logs", &name(n)]).1
        );
    }

    // The control: a terminal shell in one of them is reported.
    let (ok, out) = docker(&["exec", "-t", &name("probed"), "sh", "-c", "true"]);
    assert!(ok, "{out}");
    let probed_id = ids.last().unwrap().clone();
    let alerts = sensor.wait_for(Duration::from_secs(15), |a| {
        a.iter()
            .any(|x| x["rule_id"] == "PAL-NODE-001" && x["container"]["id"] == probed_id.as_str())
    });
    let seconds = started.elapsed().as_secs_f64();
    let ours: Vec<_> = alerts
        .iter()
        .filter(|a| {
            a["container"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with(&format!("pal-benign-{tag}-")))
        })
        .collect();
    let terminal = ours
        .iter()
        .filter(|a| a["rule_id"] == "PAL-NODE-001" && a["container"]["id"] == probed_id.as_str())
        .count();
    assert_eq!(terminal, 1, "the terminal shell is reported: {ours:#?}");
    let benign: Vec<_> = ours
        .iter()
        .filter(|a| !(a["rule_id"] == "PAL-NODE-001" && a["container"]["id"] == probed_id.as_str()))
        .map(|a| {
            format!(
                "{} {} {}",
                a["rule_id"], a["container"]["name"], a["message"]
            )
        })
        .collect();
    let container_hours = workloads.len() as f64 * seconds / 3600.0;
    eprintln!(
        "benign corpus: {} containers, {seconds:.0} s, {} alerts: {:.1} alerts per container-hour",
        workloads.len(),
        benign.len(),
        benign.len() as f64 / container_hours
    );
    assert!(
        benign.is_empty(),
        "alerts on ordinary workloads:\n{}",
        benign.join("\n")
    );
    drop(containers);
    sensor.stop();
}
