//! `palisade rules check`, `palisade rules list`, `palisade audit analyze` end to end.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn palisade(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(data) = stdin {
        input.write_all(data).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An audit event line as the API server's log backend writes it.
fn event(
    audit_id: &str,
    time: &str,
    verb: &str,
    uri: &str,
    object_ref: &str,
    extra: &str,
    code: u16,
) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"{audit_id}","stage":"ResponseComplete","requestURI":"{uri}","verb":"{verb}","user":{{"username":"alice@example.com","groups":["developers","system:authenticated"]}},"sourceIPs":["203.0.113.7"],"userAgent":"kubectl/v1.30.2 (linux/amd64) kubernetes/3968350","objectRef":{object_ref},"responseStatus":{{"metadata":{{}},"code":{code}}},{extra}"requestReceivedTimestamp":"{time}","stageTimestamp":"{time}","annotations":{{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"admins\" of ClusterRole \"cluster-admin\" to Group \"developers\""}}}}"#
    )
}

fn exec_event(id: &str, time: &str) -> String {
    event(
        id,
        time,
        "create",
        "/api/v1/namespaces/shop/pods/web/exec?command=sh&container=web&stdin=true&stdout=true&tty=true",
        r#"{"resource":"pods","namespace":"shop","name":"web","apiVersion":"v1","subresource":"exec"}"#,
        "",
        101,
    )
}

fn binding_event(id: &str, time: &str) -> String {
    event(
        id,
        time,
        "create",
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        r#"{"resource":"clusterrolebindings","name":"backdoor","apiGroup":"rbac.authorization.k8s.io","apiVersion":"v1"}"#,
        r#""requestObject":{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"backdoor"},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"mallory"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"}},"#,
        201,
    )
}

fn log(lines: &[String]) -> Vec<u8> {
    let mut out = lines.join("\n");
    out.push('\n');
    out.into_bytes()
}

fn alerts(stdout: &[u8]) -> Vec<serde_json::Value> {
    text(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn rules_check_reports_positions_and_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.yaml");
    std::fs::write(
        &good,
        "- rule: Secret deleted\n  desc: a secret was deleted\n  condition: ka.target.resource = secrets and ka.verb = delete and pal_done_ok\n  output: \"secret %ka.target.name deleted by %ka.user.name\"\n  priority: WARNING\n  source: k8s_audit\n",
    )
    .unwrap();
    let out = palisade(&["rules", "check", good.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");

    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "- list: l\n  items: [a]\n- rule: r\n  desc: d\n  condition: ka.verb = get and and\n  output: o\n  priority: WARNING\n  source: k8s_audit\n- rule: s\n  desc: d\n  condition: ka.nope exists\n  output: o\n  priority: WARNING\n  source: k8s_audit\n",
    )
    .unwrap();
    let out = palisade(
        &[
            "rules",
            "check",
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let bad_name = bad.display().to_string();
    assert!(
        stdout.contains(&format!(
            "{bad_name}:5:32: error: rule `r`: expected a field check"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{bad_name}:11:14: error: unsupported field `ka.nope`"
        )),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
}

#[test]
fn rules_list_shows_every_builtin_rule() {
    let out = palisade(&["rules", "list", "-f", "json"], None);
    assert!(out.status.success());
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ids = |prefix: &str, source: &str| {
        rules
            .iter()
            .filter(|r| r["id"].as_str().unwrap().starts_with(prefix))
            .inspect(|r| assert_eq!(r["source"], source, "{r}"))
            .count()
    };
    assert!(ids("PAL-K8SAUDIT-", "k8s_audit") >= 54);
    assert!(ids("PAL-NODE-", "syscall") >= 49 + 2);
    assert_eq!(ids("PAL-NODE-ANOM-", "syscall"), 2);
    let unique: std::collections::HashSet<_> = rules.iter().map(|r| &r["id"]).collect();
    assert_eq!(unique.len(), rules.len(), "ids are unique");
}

#[test]
fn analyze_writes_deduplicated_alerts_and_skips_malformed_lines() {
    let input = log(&[
        exec_event("a1", "2026-03-02T10:00:00.000000Z"),
        "{not json".to_string(),
        exec_event("a2", "2026-03-02T10:00:05.000000Z"),
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1"}"#.to_string(),
        String::new(),
        binding_event("b1", "2026-03-02T10:00:07.000000Z"),
        exec_event("a3", "2026-03-02T10:02:00.000000Z"),
    ]);
    let out = palisade(
        &["audit", "analyze", "-", "--cluster", "prod-eu"],
        Some(&input),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("-:2: skipped: invalid JSON"), "{stderr}");
    assert!(
        stderr.contains("-:4: skipped: not an audit event: no `verb`"),
        "{stderr}"
    );
    assert!(stderr.contains("2 malformed line(s) skipped"), "{stderr}");
    let alerts = alerts(&out.stdout);
    let summary: Vec<(String, u64)> = alerts
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["count"].as_u64().unwrap(),
            )
        })
        .collect();
    // The two exec sessions within a minute are one alert with a count of 2; the third,
    // two minutes later, is its own. The binding is another rule.
    assert_eq!(
        summary,
        [
            ("PAL-K8SAUDIT-022/a1".to_string(), 2),
            ("PAL-K8SAUDIT-015/b1".to_string(), 1),
            ("PAL-K8SAUDIT-022/a3".to_string(), 1),
        ]
    );
    let binding = &alerts[1];
    assert_eq!(binding["severity"], "HIGH");
    assert_eq!(binding["cluster"], "prod-eu");
    assert_eq!(binding["user"]["name"], "alice@example.com");
    assert_eq!(binding["source_ips"][0], "203.0.113.7");
    assert_eq!(binding["mitre"]["techniques"][0], "T1098.006");
    assert_eq!(binding["resource"]["resource"], "clusterrolebindings");
    assert_eq!(
        binding["evidence"]["requestObject"]["roleRef"]["name"],
        "cluster-admin"
    );
    assert!(binding["message"]
        .as_str()
        .unwrap()
        .contains("binds cluster-admin to mallory"));
    assert!(binding["remediation"].as_str().unwrap().len() > 20);
    assert_eq!(alerts[0]["last_seen"], "2026-03-02T10:00:05.000000Z");
}

#[test]
fn analyze_with_user_rules_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("mine.yaml");
    std::fs::write(
        &rules,
        r#"
- list: watched_users
  items: [alice@example.com]
- rule: Watched user execs
  desc: someone we watch opened a shell
  condition: ka.target.subresource = exec and ka.user.name in (watched_users) and ka.uri.param[command] = sh
  output: "%ka.user.name ran %ka.uri.param[command] in %ka.target.namespace/%ka.target.name"
  priority: CRITICAL
  source: k8s_audit
  tags: [T1609, mitre_execution]
- rule: Uses a syscall field
  desc: loads with a warning, never runs
  condition: ka.verb = create and proc.name = sh
  output: o
  priority: INFO
  source: k8s_audit
"#,
    )
    .unwrap();
    let logf = dir.path().join("audit.log");
    std::fs::write(&logf, log(&[exec_event("x1", "2026-03-02T10:00:00Z")])).unwrap();
    let outf = dir.path().join("alerts.jsonl");
    let out = palisade(
        &[
            "audit",
            "analyze",
            logf.to_str().unwrap(),
            "--no-builtin",
            "--rules",
            rules.to_str().unwrap(),
            "--dedup-window",
            "0s",
            "-o",
            outf.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains("unsupported field `proc.name`"),
        "{}",
        text(&out.stderr)
    );
    let alerts = alerts(&std::fs::read(&outf).unwrap());
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["rule"], "Watched user execs");
    assert_eq!(alerts[0]["severity"], "HIGH");
    assert_eq!(alerts[0]["message"], "alice@example.com ran sh in shop/web");
    assert!(alerts[0].get("rule_id").is_none());

    // Rules with real errors stop the analysis.
    std::fs::write(
        &rules,
        "- rule: r\n  condition: (\n  output: o\n  priority: INFO\n  source: k8s_audit\n",
    )
    .unwrap();
    let out = palisade(
        &[
            "audit",
            "analyze",
            logf.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("mine.yaml:2:15"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn analyze_follow_survives_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let logf = dir.path().join("audit.log");
    let outf = dir.path().join("alerts.jsonl");
    std::fs::write(&logf, log(&[exec_event("f1", "2026-03-02T10:00:00Z")])).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["audit", "analyze", "--follow", "--dedup-window", "0s", "-o"])
        .arg(&outf)
        .arg(&logf)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let wait_for = |n: usize| {
        for _ in 0..100 {
            let got = std::fs::read_to_string(&outf).unwrap_or_default();
            if got.lines().count() >= n {
                return got;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        std::fs::read_to_string(&outf).unwrap_or_default()
    };
    assert_eq!(wait_for(1).lines().count(), 1);
    // The log grows, a line arriving in two writes.
    let line = exec_event("f2", "2026-03-02T10:00:01Z");
    let (a, b) = line.split_at(100);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&logf)
        .unwrap();
    f.write_all(a.as_bytes()).unwrap();
    f.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    f.write_all(format!("{b}\n").as_bytes()).unwrap();
    drop(f);
    assert_eq!(wait_for(2).lines().count(), 2);
    // Rotation: the file is renamed and a new one starts.
    std::fs::rename(&logf, dir.path().join("audit.log.1")).unwrap();
    std::fs::write(&logf, log(&[binding_event("f3", "2026-03-02T10:00:02Z")])).unwrap();
    let got = wait_for(3);
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let ids: Vec<String> = alerts(got.as_bytes())
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "PAL-K8SAUDIT-022/f1",
            "PAL-K8SAUDIT-022/f2",
            "PAL-K8SAUDIT-015/f3"
        ],
        "{}",
        text(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request over a fresh connection; returns the status code and body.
fn http(port: u16, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // A peer that answers 413 early may close before the whole body is written.
    let _ = s.write_all(body);
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let resp = text(&resp);
    let code = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body)
}

#[test]
fn serve_receives_event_lists_and_refuses_oversized_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let outf = dir.path().join("alerts.jsonl");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["audit", "serve", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .args([
            "--dedup-window",
            "0s",
            "--max-body",
            "100000",
            "--cluster",
            "prod-eu",
            "-o",
        ])
        .arg(&outf)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(up, "the receiver did not start");
    assert_eq!(
        http(port, "GET", "/healthz", b""),
        (200, "ok\n".to_string())
    );
    let list = format!(
        r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{{}},"items":[{},{},{{"kind":"Event"}}]}}"#,
        exec_event("s1", "2026-03-02T10:00:00Z"),
        binding_event("s2", "2026-03-02T10:00:01Z"),
    );
    let (code, _) = http(port, "POST", "/audit", list.as_bytes());
    assert_eq!(code, 200);
    let big = vec![b' '; 200_000];
    let (code, _) = http(port, "POST", "/audit", &big);
    assert_eq!(code, 413);
    let mut got = String::new();
    for _ in 0..100 {
        got = std::fs::read_to_string(&outf).unwrap_or_default();
        if got.lines().count() >= 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (code, stats) = http(port, "GET", "/stats", b"");
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code, 200);
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["requests"], 2, "{stats}");
    assert_eq!(stats["oversized_requests"], 1, "{stats}");
    assert_eq!(stats["events"], 2, "{stats}");
    assert_eq!(stats["malformed"], 1, "{stats}");
    assert_eq!(stats["dropped_requests"], 0, "{stats}");
    let ids: Vec<String> = alerts(got.as_bytes())
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        ["PAL-K8SAUDIT-022/s1", "PAL-K8SAUDIT-015/s2"],
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn serve_prints_the_api_server_configuration() {
    let out = palisade(
        &[
            "audit",
            "serve",
            "--print-config",
            "--url",
            "https://10.0.0.5:8765/audit",
        ],
        None,
    );
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(stdout.contains("kind: Policy"));
    assert!(stdout.contains("server: https://10.0.0.5:8765/audit"));
    assert!(stdout.contains("--audit-webhook-config-file"));
}

#[test]
fn serve_speaks_tls() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("tls.crt"), dir.path().join("tls.key"));
    let gen = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
        ])
        .args([
            "-subj",
            "/CN=palisade-audit",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(gen.status.success(), "{}", text(&gen.stderr));
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["audit", "serve", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Plain HTTP to the TLS port gets no HTTP answer.
    assert_ne!(http(port, "GET", "/healthz", b"").0, 200);
    // A TLS client that verifies the certificate does.
    let client = Command::new("openssl")
        .args(["s_client", "-quiet", "-verify_return_error", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-CAfile")
        .arg(&cert)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = client.stdin.as_ref().unwrap();
    stdin
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let out = client.wait_with_output().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("HTTP/1.1 200"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.ends_with("ok\n"), "{stdout}");
}

#[test]
fn serve_under_load_answers_every_request_and_counts_drops() {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "audit",
            "serve",
            "--queue",
            "1",
            "--dedup-window",
            "0s",
            "--listen",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-o")
        .arg("/dev/null")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let per_request = 300;
    let items: Vec<String> = (0..per_request)
        .map(|i| exec_event(&format!("l{i}"), "2026-03-02T10:00:00Z"))
        .collect();
    let body = format!(
        r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{}]}}"#,
        items.join(",")
    );
    let requests = 60u64;
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let body = body.clone();
            std::thread::spawn(move || {
                (0..requests / 4)
                    .map(|_| http(port, "POST", "/audit", body.as_bytes()).0)
                    .collect::<Vec<u16>>()
            })
        })
        .collect();
    let codes: Vec<u16> = senders
        .into_iter()
        .flat_map(|s| s.join().unwrap())
        .collect();
    assert!(codes.iter().all(|&c| c == 200), "{codes:?}");
    // Every request is either run through the rules or counted as dropped.
    let mut stats = serde_json::Value::Null;
    for _ in 0..300 {
        stats = serde_json::from_str(&http(port, "GET", "/stats", b"").1).unwrap();
        let done = stats["events"].as_u64().unwrap()
            + stats["dropped_requests"].as_u64().unwrap() * per_request;
        if done == requests * per_request && stats["alerts"] == stats["events"] {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(stats["requests"], requests, "{stats}");
    assert_eq!(
        stats["events"].as_u64().unwrap()
            + stats["dropped_requests"].as_u64().unwrap() * per_request,
        requests * per_request,
        "{stats}"
    );
    assert_eq!(
        stats["alerts"].as_u64().unwrap(),
        stats["events"].as_u64().unwrap(),
        "one exec alert per event processed: {stats}"
    );
}

#[test]
fn rules_check_checks_syscall_rules_against_the_node_fields() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("syscall.yaml");
    std::fs::write(
        &f,
        concat!(
            // 1: a syntax error (no source: syscall, as in Falco)
            "- rule: shell\n  desc: d\n  condition: proc.name = sh and\n  output: o\n  priority: INFO\n",
            // 6: a field the sensor does not have
            "- rule: passwd\n  desc: d\n  condition: evt.type = open and fd.nam = /etc/passwd\n  output: o\n  priority: INFO\n  source: syscall\n",
            // 12: an exception to a built-in node rule
            "- rule: Terminal shell in a container\n  append: true\n  condition: and not proc.pname = sshd\n",
            // 15: another source: syntax only, and a warning
            "- rule: trail\n  desc: d\n  condition: ct.name = x\n  output: o\n  priority: INFO\n  source: aws_cloudtrail\n",
        ),
    )
    .unwrap();
    let out = palisade(&["rules", "check", f.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let name = f.display().to_string();
    assert!(
        stdout.contains(&format!("{name}:3:32: error: rule `shell`")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{name}:8:34: error: unsupported field `fd.nam` for source syscall"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{name}:15:9: warning: rules of source `aws_cloudtrail` are not checked"
        )),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    // Without the built-in rules the append has nothing to extend.
    let out = palisade(
        &["rules", "check", "--no-builtin", f.to_str().unwrap()],
        None,
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("rule `Terminal shell in a container`: nothing to append to"),
        "{stdout}"
    );
    // The built-in node rules check clean on their own.
    let node_rules: Vec<String> = std::fs::read_dir(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/node"),
    )
    .unwrap()
    .map(|e| e.unwrap().path().display().to_string())
    .collect();
    let mut args = vec!["rules", "check", "--no-builtin"];
    args.extend(node_rules.iter().map(String::as_str));
    let out = palisade(&args, None);
    assert!(out.status.success(), "{}", text(&out.stdout));
}

#[test]
fn bench_audit_rules_reports_rates() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("attack.jsonl");
    let out = palisade(
        &[
            "bench",
            "audit-rules",
            "--events",
            "2000",
            "--attack-events",
            "5000",
            "--attack-log",
            log.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The attack-heavy log is what it says, and both paths write the same alerts.
    let attack = &report["attack_heavy_end_to_end"];
    assert_eq!(attack["matching_share"], 0.6, "{attack}");
    assert!(attack["alerts_written"].as_u64().unwrap() > 0, "{attack}");
    assert_eq!(
        attack["alerts_written"],
        report["attack_heavy_building_every_hit"]["alerts_written"]
    );
    // The written log gives `audit analyze` the same alerts.
    let analyzed = palisade(&["audit", "analyze", log.to_str().unwrap()], None);
    assert!(analyzed.status.success(), "{}", text(&analyzed.stderr));
    assert_eq!(
        alerts(&analyzed.stdout).len() as u64,
        attack["alerts_written"].as_u64().unwrap()
    );
    assert!(report["rules"].as_u64().unwrap() >= 40);
    assert_eq!(report["events"], 2000);
    assert!(report["rule_hits"].as_u64().unwrap() > 0);
    assert!(
        report["decode_and_evaluate_events_per_second"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}
