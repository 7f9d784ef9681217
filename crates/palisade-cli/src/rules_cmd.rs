//! `palisade rules ...`, `palisade audit ...` and `palisade bench audit-rules`: detection
//! rules and Kubernetes audit logs. Wiring only; the engine lives in palisade-rules, the audit
//! source and the built-in rules in palisade-audit.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use palisade_audit::builtin::builtin_ruleset;
use palisade_audit::{Alert, AuditEvent, AuditFields, Deduplicator, Detector};
use palisade_rules::{Diagnostic, Level, RuleSet};

/// Audit log lines longer than this are counted as malformed and skipped.
const MAX_LINE_BYTES: usize = palisade_audit::decode::MAX_EVENT_BYTES;
/// Open de-duplication groups kept at most (bounded memory under any stream).
const MAX_OPEN_GROUPS: usize = 100_000;
/// How often a followed log is checked for new lines and rotation.
const FOLLOW_POLL: Duration = Duration::from_millis(200);
/// Malformed lines reported one by one before only the total is.
const MALFORMED_REPORTED: u64 = 10;

#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// Validate rule files (Falco rule syntax) against the fields Palisade supports; prints
    /// every problem as FILE:LINE:COLUMN and exits 1 when there are errors.
    Check {
        /// Rule files, loaded in order after the built-in rules (whose lists and macros they
        /// may use).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Check the files on their own, without the built-in rules.
        #[arg(long)]
        no_builtin: bool,
    },
    /// List every built-in rule (audit, node and anomaly): id, source, severity, MITRE ATT&CK,
    /// name.
    List {
        #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Run the detection rules over a Kubernetes audit log (JSON lines, one audit.k8s.io/v1
    /// Event per line, as the API server's log backend writes it) and print alerts as JSON lines.
    Analyze(AnalyzeArgs),
    /// The Kubernetes audit webhook backend: receives audit.k8s.io/v1 EventList POSTs, answers
    /// at once, and runs the rules on a queue of its own; alerts as JSON lines.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0:8765")]
    pub listen: String,
    /// TLS certificate chain (PEM); with --tls-key, the receiver speaks HTTPS.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// More rule files, loaded after the built-in rules; repeatable.
    #[arg(long = "rules")]
    pub rules: Vec<PathBuf>,
    /// Run only the rules given with --rules.
    #[arg(long)]
    pub no_builtin: bool,
    /// Cluster name to put in the alerts.
    #[arg(long)]
    pub cluster: Option<String>,
    /// De-duplication window (0s: none).
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    pub dedup_window: Duration,
    /// Write alerts to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Request bodies waiting for the rules at most; when the queue is full a body is dropped
    /// and counted (see GET /stats), so the API server never waits.
    #[arg(long, default_value_t = 1024)]
    pub queue: usize,
    /// Largest request body accepted, in bytes; larger ones are answered 413.
    #[arg(long, default_value_t = 16 << 20)]
    pub max_body: usize,
    /// Print the audit policy and the webhook kubeconfig to give the API server, and exit.
    #[arg(long)]
    pub print_config: bool,
    /// URL the API server reaches this receiver at (written into --print-config's kubeconfig).
    #[arg(long, default_value = "https://palisade-audit.palisade.svc:8765/audit")]
    pub url: String,
}

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// The audit log; `-` reads standard input.
    pub input: PathBuf,
    /// More rule files (Falco syntax, source k8s_audit), loaded after the built-in rules;
    /// repeatable.
    #[arg(long = "rules")]
    pub rules: Vec<PathBuf>,
    /// Run only the rules given with --rules.
    #[arg(long)]
    pub no_builtin: bool,
    /// Cluster name to put in the alerts.
    #[arg(long)]
    pub cluster: Option<String>,
    /// Alerts of the same rule, resource and user within this window become one alert with a
    /// count (0s: no de-duplication).
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    pub dedup_window: Duration,
    /// Write alerts to this file instead of stdout.
    #[arg(short, long, conflicts_with = "server")]
    pub output: Option<PathBuf>,
    /// Send alerts to this `palisade server` (e.g. http://127.0.0.1:8080) instead of stdout;
    /// the token comes from PALISADE_TOKEN or --token-file.
    #[arg(long)]
    pub server: Option<String>,
    /// File whose first line is the server token (role ingest).
    #[arg(long, requires = "server")]
    pub token_file: Option<PathBuf>,
    /// Keep reading as the log grows, across rotation (a new file at the path) and
    /// truncation, until interrupted.
    #[arg(long)]
    pub follow: bool,
}

#[derive(Debug, clap::Args)]
pub struct BenchAuditArgs {
    /// Events to push through the rules.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Events in the attack-heavy log (60% of them match rules), run end to end: decode,
    /// rules, de-duplication, alerts written as JSON lines.
    #[arg(long, default_value_t = 200_000)]
    pub attack_events: u64,
    /// Also write the attack-heavy log here (JSON lines), to time `audit analyze` on it.
    #[arg(long)]
    pub attack_log: Option<PathBuf>,
}

pub fn rules(cmd: &RulesCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RulesCommand::Check { files, no_builtin } => check(files, *no_builtin),
        RulesCommand::List { format } => list(*format),
    }
}

pub fn audit(cmd: &AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Analyze(args) => analyze(args),
        AuditCommand::Serve(_) => anyhow::bail!("`audit serve` runs on the async runtime"),
    }
}

fn load(files: &[PathBuf], builtin: bool) -> anyhow::Result<RuleSet> {
    let mut set = if builtin {
        builtin_ruleset()
    } else {
        RuleSet::new()
    };
    add_list_dir(&mut set);
    load_into(set, files)
}

/// The directory of list files (`db update`'s list feeds): `$PALISADE_LISTS_DIR`, else
/// `lists/` in the database directory.
pub fn lists_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("PALISADE_LISTS_DIR") {
        return PathBuf::from(d);
    }
    let db = crate::db_cmd::DbDirArgs {
        db_dir: std::env::var_os("PALISADE_DB_DIR").map(PathBuf::from),
    };
    palisade_vulndb::lists::lists_dir(&db.dir())
}

/// Loads every `NAME.txt` of the lists directory as the list `NAME` (replacing the rule
/// files' list of that name). A missing directory is fine; a bad file is a warning.
pub fn add_list_dir(set: &mut RuleSet) {
    let dir = lists_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".txt"))
        else {
            continue;
        };
        let limit = palisade_rules::listfile::MAX_LIST_FILE_BYTES as u64 + 1;
        let mut bytes = Vec::new();
        let read = std::fs::File::open(&path).and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, limit), &mut bytes)
        });
        let text = match read.map(|_| String::from_utf8(bytes)) {
            Ok(Ok(t)) => t,
            _ => {
                tracing::warn!(
                    "{}: not a readable UTF-8 list file; skipped",
                    path.display()
                );
                continue;
            }
        };
        match set.add_list_file(&path.display().to_string(), name, &text) {
            Ok((n, skipped)) => {
                tracing::info!(list = name, items = n, skipped, "list file loaded")
            }
            Err(d) => tracing::warn!("{d}; list file skipped"),
        }
    }
}

fn load_into(mut set: RuleSet, files: &[PathBuf]) -> anyhow::Result<RuleSet> {
    for f in files {
        let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        let text = String::from_utf8(bytes)
            .with_context(|| format!("{}: a rule file must be UTF-8", f.display()))?;
        set.add_file(&f.display().to_string(), &text);
    }
    Ok(set)
}

/// Checks rule files of both sources Palisade runs: `k8s_audit` rules against the audit
/// fields, `syscall` rules against the sensor's node fields, each on top of the built-in rules
/// (so `append` and `override` of built-in items are checked too); rules of other sources get
/// a syntax check and a warning.
fn check(files: &[PathBuf], no_builtin: bool) -> anyhow::Result<ExitCode> {
    let mut base = RuleSet::new();
    if !no_builtin {
        base = builtin_ruleset();
        for (name, text) in palisade_sensor::builtin::BUILTIN_FILES {
            base.add_file(name, text);
        }
    }
    add_list_dir(&mut base);
    let set = load_into(base, files)?;
    let (audit_engine, mut diags) = set.compile(&AuditFields);
    let (node_engine, node_diags) = set.compile(&palisade_sensor::NodeFields);
    diags.extend(node_diags);
    let checked = [palisade_audit::SOURCE, palisade_sensor::SOURCE];
    diags.extend(set.syntax_errors_outside_sources(&checked));
    for (source, pos) in set.source_positions() {
        if !checked.contains(&source.as_str()) {
            diags.push(Diagnostic::warning(
                pos,
                format!(
                    "rules of source `{source}` are not checked: Palisade runs k8s_audit and syscall rules"
                ),
            ));
        }
    }
    // Problems found while reading the files are reported by both compilations.
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert(d.to_string()));
    let mut stdout = std::io::stdout().lock();
    for d in &diags {
        writeln!(stdout, "{d}")?;
    }
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    let warnings = diags.len() - errors;
    tracing::info!(
        "{} k8s_audit and {} syscall rules compiled, {errors} errors, {warnings} warnings",
        audit_engine.rules().len(),
        node_engine.rules().len()
    );
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn list(format: ListFormat) -> anyhow::Result<ExitCode> {
    let (audit, diags) = builtin_ruleset().compile(&AuditFields);
    anyhow::ensure!(diags.is_empty(), "built-in audit rules: {}", diags[0]);
    let (node, diags) = palisade_sensor::builtin::builtin_engine();
    anyhow::ensure!(diags.is_empty(), "built-in node rules: {}", diags[0]);
    let anomalies = palisade_sensor::baseline::anomaly_rules();
    let mut metas: Vec<&palisade_rules::RuleMeta> = audit
        .rules()
        .iter()
        .chain(node.rules())
        .map(|r| &r.meta)
        .chain(&anomalies)
        .collect();
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &metas)?;
            writeln!(out)?;
        }
        ListFormat::Table => {
            metas.sort_by(|a, b| (&a.source, &a.id).cmp(&(&b.source, &b.id)));
            writeln!(
                out,
                "{:<17} {:<8} {:<6} {:<10} NAME",
                "ID", "SOURCE", "SEV", "MITRE"
            )?;
            for m in metas {
                writeln!(
                    out,
                    "{:<17} {:<8} {:<6} {:<10} {}",
                    m.id.as_deref().unwrap_or("-"),
                    m.source,
                    m.severity.as_str(),
                    m.techniques.join(","),
                    m.name
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line read by [`read_line_bounded`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line {
    /// False when the line was longer than the limit (its bytes were dropped).
    ok: bool,
    /// False when input ended before a newline (a line still being written, when following).
    complete: bool,
}

/// Reads one line into `buf` (without the newline), never holding more than `max` bytes.
/// With `resume`, `buf` holds the start of the line from an earlier, incomplete read.
/// `None` at end of input.
fn read_line_bounded(
    r: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
    resume: bool,
) -> std::io::Result<Option<Line>> {
    if !resume {
        buf.clear();
    }
    let mut overflow = false;
    let mut any = resume && !buf.is_empty();
    loop {
        let avail = r.fill_buf()?;
        if avail.is_empty() {
            return Ok(any.then_some(Line {
                ok: !overflow,
                complete: false,
            }));
        }
        any = true;
        let (chunk, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (&avail[..i], Some(i + 1)),
            None => (avail, None),
        };
        if !overflow {
            if buf.len() + chunk.len() > max {
                overflow = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(chunk.len());
        r.consume(used);
        if done.is_some() {
            return Ok(Some(Line {
                ok: !overflow,
                complete: true,
            }));
        }
    }
}

/// The open log file when following: its inode and how far it has been read, to notice
/// rotation (a new file at the path) and truncation.
struct Followed {
    path: PathBuf,
    inode: u64,
}

impl Followed {
    fn open(path: &std::path::Path) -> anyhow::Result<(Followed, BufReader<File>)> {
        use std::os::unix::fs::MetadataExt;
        let f = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let inode = f.metadata()?.ino();
        Ok((
            Followed {
                path: path.to_path_buf(),
                inode,
            },
            BufReader::with_capacity(1 << 16, f),
        ))
    }

    /// A fresh reader when the file at the path was replaced or truncated.
    fn rotated(&mut self, reader: &mut BufReader<File>) -> Option<BufReader<File>> {
        use std::io::Seek;
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(&self.path).ok()?;
        let pos = reader.stream_position().ok()?;
        if meta.ino() == self.inode && meta.len() >= pos {
            return None;
        }
        let (next, r) = Followed::open(&self.path).ok()?;
        tracing::info!("{}: rotated, reading the new file", self.path.display());
        *self = next;
        Some(r)
    }
}

fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

fn analyze(args: &AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let set = load(&args.rules, !args.no_builtin)?;
    let (engine, diags) = set.compile(&AuditFields);
    let mut fatal = 0;
    for d in &diags {
        match (d.level, &d.unsupported_field) {
            // A rule using a field Palisade lacks is skipped; the others still run.
            (Level::Error, Some(_)) => tracing::warn!("{d} (rule skipped)"),
            (Level::Error, None) => {
                tracing::error!("{d}");
                fatal += 1;
            }
            (Level::Warning, _) => tracing::warn!("{d}"),
        }
    }
    anyhow::ensure!(
        fatal == 0,
        "{fatal} error(s) in the rules; see `palisade rules check`"
    );
    tracing::info!("{} rules loaded", engine.enabled_count());
    let mut detector = Detector::new(engine, args.cluster.clone());
    let mut dedup = Deduplicator::new(args.dedup_window, MAX_OPEN_GROUPS);

    let stdin = args.input.as_os_str() == "-";
    let mut followed = None;
    let mut input: Box<dyn BufRead> = if stdin {
        Box::new(BufReader::with_capacity(1 << 16, std::io::stdin().lock()))
    } else if args.follow {
        let (f, r) = Followed::open(&args.input)?;
        followed = Some((f, r));
        Box::new(std::io::empty())
    } else {
        let f =
            File::open(&args.input).with_context(|| format!("opening {}", args.input.display()))?;
        Box::new(BufReader::with_capacity(1 << 16, f))
    };
    let mut output: BufWriter<Box<dyn Write>> =
        BufWriter::new(match (&args.output, &args.server) {
            (Some(p), _) => {
                Box::new(File::create(p).with_context(|| format!("creating {}", p.display()))?)
            }
            (None, Some(url)) => {
                let token = palisade_server::client::token(args.token_file.as_deref())?;
                Box::new(palisade_server::client::AlertSink::new(url, token)?)
            }
            (None, None) => Box::new(std::io::stdout().lock()),
        });
    let name = args.input.display().to_string();
    let mut stats = Stats::default();
    let mut line = Vec::new();
    let mut ready = Vec::new();
    let mut line_no = 0u64;
    let mut resume = false;
    loop {
        let read = match &mut followed {
            Some((_, reader)) => read_line_bounded(reader, &mut line, MAX_LINE_BYTES, resume),
            None => read_line_bounded(&mut input, &mut line, MAX_LINE_BYTES, resume),
        }
        .with_context(|| format!("reading {name}"))?;
        let l = match read {
            Some(l) if l.complete || followed.is_none() => l,
            // End of what has been written so far: wait for more, or for a new file.
            other => {
                let Some((f, reader)) = &mut followed else {
                    break;
                };
                resume = other.is_some();
                if let Some(r) = f.rotated(reader) {
                    *reader = r;
                    resume = false;
                }
                dedup.expire(now_micros(), &mut ready);
                write_alerts(&mut output, &mut ready, &mut stats)?;
                output.flush()?;
                std::thread::sleep(FOLLOW_POLL);
                continue;
            }
        };
        resume = false;
        line_no += 1;
        if !l.ok {
            stats.malformed(&name, line_no, "line longer than the event size limit");
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let event = match AuditEvent::from_slice(&line) {
            Ok(e) => e,
            Err(e) => {
                stats.malformed(&name, line_no, &e.to_string());
                continue;
            }
        };
        stats.events += 1;
        stats.hits += detector.analyze_deduplicated(&event, &mut dedup, &mut ready) as u64;
        write_alerts(&mut output, &mut ready, &mut stats)?;
    }
    dedup.flush(&mut ready);
    write_alerts(&mut output, &mut ready, &mut stats)?;
    output.flush()?;
    if stats.malformed_lines > 0 {
        tracing::warn!(
            "{name}: {} malformed line(s) skipped",
            stats.malformed_lines
        );
    }
    if dedup.evicted > 0 {
        tracing::warn!(
            "{} de-duplication group(s) emitted early (more than {MAX_OPEN_GROUPS} open)",
            dedup.evicted
        );
    }
    tracing::info!(
        "{name}: {} events, {} rule hits, {} alerts, {} malformed lines",
        stats.events,
        stats.hits,
        stats.alerts,
        stats.malformed_lines
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Default)]
struct Stats {
    events: u64,
    hits: u64,
    alerts: u64,
    malformed_lines: u64,
}

impl Stats {
    fn malformed(&mut self, name: &str, line: u64, why: &str) {
        self.malformed_lines += 1;
        if self.malformed_lines <= MALFORMED_REPORTED {
            tracing::warn!("{name}:{line}: skipped: {why}");
        }
    }
}

fn write_alerts(
    out: &mut impl Write,
    ready: &mut Vec<Alert>,
    stats: &mut Stats,
) -> anyhow::Result<()> {
    for a in ready.drain(..) {
        serde_json::to_writer(&mut *out, &a)?;
        out.write_all(b"\n")?;
        stats.alerts += 1;
    }
    Ok(())
}

/// A mix of audit events like a busy cluster's: mostly reads and lease renewals by the
/// control plane, some workload writes, RBAC changes, exec sessions and secret reads (some of
/// which fire rules).
fn bench_events() -> Vec<Vec<u8>> {
    let base = |verb: &str, uri: &str, user: &str, object_ref: serde_json::Value, code: u16| {
        serde_json::json!({
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
            "auditID": "c1f1a5a0-6a3c-4c55-8f0e-2b7a51d7e2a1", "stage": "ResponseComplete",
            "requestURI": uri, "verb": verb,
            "user": {"username": user, "groups": ["system:authenticated"]},
            "sourceIPs": ["10.0.0.12"], "userAgent": "kube-controller-manager/v1.30.2 (linux/amd64) kubernetes/3968350",
            "objectRef": object_ref,
            "responseStatus": {"metadata": {}, "code": code},
            "requestReceivedTimestamp": "2026-03-02T10:15:30.100000Z",
            "stageTimestamp": "2026-03-02T10:15:30.104000Z",
            "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": "RBAC: allowed by ClusterRoleBinding \"system:kube-controller-manager\""}
        })
    };
    let mut events = Vec::new();
    for i in 0..16 {
        let lease = format!("node-{i}");
        events.push(base(
            "update",
            &format!("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{lease}"),
            &format!("system:node:{lease}"),
            serde_json::json!({"resource": "leases", "namespace": "kube-node-lease", "name": lease, "apiGroup": "coordination.k8s.io", "apiVersion": "v1"}),
            200,
        ));
        events.push(base(
            "list",
            "/api/v1/pods?limit=500",
            "system:kube-scheduler",
            serde_json::json!({"resource": "pods", "apiVersion": "v1"}),
            200,
        ));
        events.push(base(
            "get",
            &format!("/api/v1/namespaces/shop/configmaps/app-{i}"),
            "system:serviceaccount:shop:web",
            serde_json::json!({"resource": "configmaps", "namespace": "shop", "name": format!("app-{i}"), "apiVersion": "v1"}),
            200,
        ));
        events.push(base(
            "watch",
            "/api/v1/services?watch=true",
            "system:kube-proxy",
            serde_json::json!({"resource": "services", "apiVersion": "v1"}),
            200,
        ));
    }
    let mut pod = base(
        "create",
        "/api/v1/namespaces/shop/pods",
        "alice@example.com",
        serde_json::json!({"resource": "pods", "namespace": "shop", "name": "web", "apiVersion": "v1"}),
        201,
    );
    pod["level"] = "RequestResponse".into();
    pod["requestObject"] = serde_json::json!({
        "kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"containers": [
            {"name": "web", "image": "nginx:1.25", "securityContext": {"privileged": true}},
            {"name": "side", "image": "envoyproxy/envoy:v1.30.1", "ports": [{"containerPort": 9901}]}
        ], "volumes": [{"name": "c", "configMap": {"name": "web"}}]}
    });
    pod["responseObject"] = pod["requestObject"].clone();
    events.push(pod);
    let mut binding = base(
        "create",
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        "alice@example.com",
        serde_json::json!({"resource": "clusterrolebindings", "name": "ops", "apiGroup": "rbac.authorization.k8s.io", "apiVersion": "v1"}),
        201,
    );
    binding["requestObject"] = serde_json::json!({
        "kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "ops"},
        "subjects": [{"kind": "User", "name": "bob"}], "roleRef": {"kind": "ClusterRole", "name": "cluster-admin", "apiGroup": "rbac.authorization.k8s.io"}
    });
    events.push(binding);
    events.push(base(
        "create",
        "/api/v1/namespaces/shop/pods/web/exec?command=sh&container=web&stdin=true&tty=true",
        "alice@example.com",
        serde_json::json!({"resource": "pods", "namespace": "shop", "name": "web", "subresource": "exec", "apiVersion": "v1"}),
        101,
    ));
    events.push(base(
        "get",
        "/api/v1/namespaces/kube-system/secrets/bootstrap-token-abcdef",
        "alice@example.com",
        serde_json::json!({"resource": "secrets", "namespace": "kube-system", "name": "bootstrap-token-abcdef", "apiVersion": "v1"}),
        200,
    ));
    events
        .into_iter()
        .map(|e| serde_json::to_vec(&e).unwrap_or_default())
        .collect()
}

/// An attack storm as the API server logs it: a brute force of anonymous requests from
/// rotating addresses, and a service account crawling the secrets of kube-system (together
/// 60% of events, all matching rules), amid ordinary control-plane traffic. Times advance one
/// millisecond per event; every auditID is distinct.
fn attack_log(n: u64) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let ms = 10 * 3_600_000 + i;
            let time = format!(
                "2026-03-02T{:02}:{:02}:{:02}.{:03}000Z",
                ms / 3_600_000 % 24,
                ms / 60_000 % 60,
                ms / 1000 % 60,
                ms % 1000
            );
            let audit_id = format!("6f9e0000-0000-4000-8000-{i:012}");
            let (verb, uri, user, groups, object_ref, code, ip) = match i % 10 {
                0..=2 => (
                    "get",
                    format!("/api/v1/namespaces/kube-system/secrets/token-{}", i % 97),
                    "system:anonymous",
                    serde_json::json!(["system:unauthenticated"]),
                    serde_json::json!({"resource": "secrets", "namespace": "kube-system", "name": format!("token-{}", i % 97), "apiVersion": "v1"}),
                    401,
                    format!("203.0.113.{}", i % 250),
                ),
                3..=5 => (
                    "get",
                    format!("/api/v1/namespaces/kube-system/secrets/secret-{}", i % 211),
                    "system:serviceaccount:shop:web",
                    serde_json::json!(["system:serviceaccounts", "system:authenticated"]),
                    serde_json::json!({"resource": "secrets", "namespace": "kube-system", "name": format!("secret-{}", i % 211), "apiVersion": "v1"}),
                    200,
                    "10.0.3.7".to_string(),
                ),
                6 | 7 => (
                    "update",
                    format!("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-{}", i % 16),
                    "system:node:node-1",
                    serde_json::json!(["system:nodes", "system:authenticated"]),
                    serde_json::json!({"resource": "leases", "namespace": "kube-node-lease", "name": format!("node-{}", i % 16), "apiGroup": "coordination.k8s.io", "apiVersion": "v1"}),
                    200,
                    "10.0.0.21".to_string(),
                ),
                _ => (
                    "get",
                    format!("/api/v1/namespaces/shop/configmaps/app-{}", i % 16),
                    "system:serviceaccount:shop:web",
                    serde_json::json!(["system:serviceaccounts", "system:authenticated"]),
                    serde_json::json!({"resource": "configmaps", "namespace": "shop", "name": format!("app-{}", i % 16), "apiVersion": "v1"}),
                    200,
                    "10.0.3.7".to_string(),
                ),
            };
            let event = serde_json::json!({
                "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
                "auditID": audit_id, "stage": "ResponseComplete",
                "requestURI": uri, "verb": verb,
                "user": {"username": user, "groups": groups},
                "sourceIPs": [ip], "userAgent": "curl/8.5.0",
                "objectRef": object_ref,
                "responseStatus": {"metadata": {}, "code": code},
                "requestReceivedTimestamp": time, "stageTimestamp": time,
                "annotations": {"authorization.k8s.io/decision": if code == 401 { "forbid" } else { "allow" }}
            });
            serde_json::to_vec(&event).unwrap_or_default()
        })
        .collect()
}

fn write_alert_lines(out: &mut impl Write, ready: &mut Vec<Alert>) -> anyhow::Result<u64> {
    let n = ready.len() as u64;
    for alert in ready.drain(..) {
        serde_json::to_writer(&mut *out, &alert)?;
        out.write_all(b"\n")?;
    }
    Ok(n)
}

/// The attack-heavy log end to end on this thread: events per second, the share of events
/// that matched, and the alerts written, either de-duplicating before an alert is built (as
/// `audit analyze` does) or building every hit's alert first (the path before).
fn bench_attack(
    detector: &mut Detector,
    log: &[Vec<u8>],
    build_every_hit: bool,
) -> anyhow::Result<serde_json::Value> {
    let mut dedup = Deduplicator::new(Duration::from_secs(60), MAX_OPEN_GROUPS);
    let mut ready = Vec::new();
    let mut hits = Vec::new();
    let mut out = BufWriter::new(std::io::sink());
    let (mut matching, mut alerts) = (0u64, 0u64);
    let started = Instant::now();
    let cpu_started = thread_cpu();
    for raw in log {
        let event = AuditEvent::from_slice(raw)?;
        let n = if build_every_hit {
            hits.clear();
            detector.analyze(&event, &mut hits);
            let n = hits.len();
            for alert in hits.drain(..) {
                dedup.push(alert, &mut ready);
            }
            n
        } else {
            detector.analyze_deduplicated(&event, &mut dedup, &mut ready)
        };
        matching += u64::from(n > 0);
        alerts += write_alert_lines(&mut out, &mut ready)?;
    }
    dedup.flush(&mut ready);
    alerts += write_alert_lines(&mut out, &mut ready)?;
    out.flush()?;
    let wall = started.elapsed();
    let cpu = thread_cpu()
        .zip(cpu_started)
        .map(|(b, a)| b.saturating_sub(a));
    let n = log.len() as f64;
    Ok(serde_json::json!({
        "events_per_second": (n / wall.as_secs_f64()).round(),
        "events_per_cpu_second": cpu.map(|c| (n / c.as_secs_f64()).round()),
        "matching_share": (matching as f64 / n * 100.0).round() / 100.0,
        "alerts_written": alerts,
    }))
}

/// CPU time this thread has used (from /proc/thread-self/schedstat, in nanoseconds): on a
/// shared machine, events per CPU-second is the figure that does not depend on other load.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Decodes and evaluates `events` audit events through every built-in rule on this thread:
/// events per second and peak RSS, as JSON on stdout.
pub fn bench_audit_rules(args: &BenchAuditArgs) -> anyhow::Result<ExitCode> {
    let (engine, diags) = builtin_ruleset().compile(&AuditFields);
    anyhow::ensure!(diags.is_empty(), "built-in rules: {}", diags[0]);
    let rules = engine.enabled_count();
    let mut detector = Detector::new(engine, Some("bench".into()));
    let events = bench_events();
    let bytes: usize = events.iter().map(Vec::len).sum();
    let n = args.events.max(1);
    // Warm up, then measure decode + evaluation, then evaluation alone.
    for e in &events {
        let ev = AuditEvent::from_slice(e)?;
        detector.count_hits(&ev);
    }
    let started = Instant::now();
    let cpu_started = thread_cpu();
    let mut hits = 0u64;
    for i in 0..n {
        let raw = &events[(i % events.len() as u64) as usize];
        let ev = AuditEvent::from_slice(raw)?;
        hits += detector.count_hits(&ev) as u64;
    }
    let full = started.elapsed();
    let full_cpu = thread_cpu()
        .zip(cpu_started)
        .map(|(b, a)| b.saturating_sub(a));
    let started = Instant::now();
    for i in 0..n {
        let raw = &events[(i % events.len() as u64) as usize];
        std::hint::black_box(AuditEvent::from_slice(raw)?);
    }
    let decode_only = started.elapsed();
    let decoded: Vec<AuditEvent> = events
        .iter()
        .map(|e| AuditEvent::from_slice(e))
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    let cpu_started = thread_cpu();
    for i in 0..n {
        detector.count_hits(&decoded[(i % decoded.len() as u64) as usize]);
    }
    let eval_only = started.elapsed();
    let eval_cpu = thread_cpu()
        .zip(cpu_started)
        .map(|(b, a)| b.saturating_sub(a));
    let log = attack_log(args.attack_events.max(1));
    if let Some(path) = &args.attack_log {
        let mut f = BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        for line in &log {
            f.write_all(line)?;
            f.write_all(b"\n")?;
        }
        f.flush()?;
    }
    bench_attack(&mut detector, &log, false)?; // warm-up
    let attack = bench_attack(&mut detector, &log, false)?;
    let attack_building_every_hit = bench_attack(&mut detector, &log, true)?;
    drop(log);
    let rate = |d: Duration| (n as f64 / d.as_secs_f64()).round();
    let report = serde_json::json!({
        "attack_heavy_end_to_end": attack,
        "attack_heavy_building_every_hit": attack_building_every_hit,
        "rules": rules,
        "events": n,
        "distinct_events": events.len(),
        "mean_event_bytes": bytes / events.len(),
        "rule_hits": hits,
        "decode_and_evaluate_events_per_second": rate(full),
        "decode_and_evaluate_events_per_cpu_second": full_cpu.map(rate),
        "decode_only_events_per_second": rate(decode_only),
        "evaluate_only_events_per_second": rate(eval_only),
        "evaluate_only_events_per_cpu_second": eval_cpu.map(rate),
        "seconds": full.as_secs_f64(),
        "peak_rss_mib": crate::bench::peak_rss_kib().unwrap_or(0) / 1024,
        "threads": 1,
    });
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &report)?;
    writeln!(stdout)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::read_line_bounded;

    #[test]
    fn bounded_lines() {
        let data = b"short\nthis line is too long\n\nlast";
        let mut r = std::io::BufReader::with_capacity(4, &data[..]);
        let mut buf = Vec::new();
        let mut got = Vec::new();
        while let Some(l) = read_line_bounded(&mut r, &mut buf, 10, false).unwrap() {
            got.push((l.ok, String::from_utf8(buf.clone()).unwrap()));
        }
        assert_eq!(
            got,
            [
                (true, "short".to_string()),
                (false, String::new()),
                (true, String::new()),
                (true, "last".to_string())
            ]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// `palisade audit serve`: the audit webhook backend.

/// What the receiver has seen, served as JSON at GET /stats.
#[derive(Debug, Default)]
struct Counters {
    requests: std::sync::atomic::AtomicU64,
    dropped_requests: std::sync::atomic::AtomicU64,
    oversized_requests: std::sync::atomic::AtomicU64,
    events: std::sync::atomic::AtomicU64,
    malformed: std::sync::atomic::AtomicU64,
    alerts: std::sync::atomic::AtomicU64,
}

impl Counters {
    fn json(&self) -> serde_json::Value {
        use std::sync::atomic::Ordering::Relaxed;
        serde_json::json!({
            "requests": self.requests.load(Relaxed),
            "dropped_requests": self.dropped_requests.load(Relaxed),
            "oversized_requests": self.oversized_requests.load(Relaxed),
            "events": self.events.load(Relaxed),
            "malformed": self.malformed.load(Relaxed),
            "alerts": self.alerts.load(Relaxed),
        })
    }
}

#[derive(Clone)]
struct ServeState {
    queue: std::sync::mpsc::SyncSender<axum::body::Bytes>,
    counters: std::sync::Arc<Counters>,
    max_body: usize,
}

const AUDIT_POLICY: &str = r#"# Audit policy for Palisade: what its rules read, and no secret contents.
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  # Secret values never leave the API server: metadata only.
  - level: Metadata
    resources:
      - group: ""
        resources: [secrets, serviceaccounts/token]
  # Objects whose content the rules inspect.
  - level: RequestResponse
    verbs: [create, update, patch]
    resources:
      - group: ""
        resources: [pods, pods/ephemeralcontainers, services, configmaps, serviceaccounts, replicationcontrollers, podtemplates]
      - group: apps
        resources: [deployments, daemonsets, statefulsets, replicasets]
      - group: batch
        resources: [jobs, cronjobs]
      - group: rbac.authorization.k8s.io
        resources: [roles, clusterroles, rolebindings, clusterrolebindings]
      - group: admissionregistration.k8s.io
        resources: [validatingwebhookconfigurations, mutatingwebhookconfigurations, validatingadmissionpolicies, validatingadmissionpolicybindings]
  # Routine control-plane chatter.
  - level: None
    users: ["system:kube-proxy"]
    verbs: [watch]
  - level: None
    resources:
      - group: coordination.k8s.io
        resources: [leases]
  # Everything else: who did what, to which object, from where.
  - level: Metadata
"#;

fn print_config(url: &str) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "# 1. Save as /etc/kubernetes/palisade-audit-policy.yaml"
    )?;
    write!(out, "{AUDIT_POLICY}")?;
    writeln!(out, "---")?;
    writeln!(
        out,
        "# 2. Save as /etc/kubernetes/palisade-audit-webhook.yaml (certificate-authority: the CA of --tls-cert)"
    )?;
    write!(
        out,
        r#"apiVersion: v1
kind: Config
clusters:
  - name: palisade
    cluster:
      server: {url}
      certificate-authority: /etc/kubernetes/palisade-audit-ca.crt
users:
  - name: kube-apiserver
    user: {{}}
contexts:
  - name: palisade
    context:
      cluster: palisade
      user: kube-apiserver
current-context: palisade
"#
    )?;
    writeln!(out, "---")?;
    writeln!(
        out,
        "# 3. kube-apiserver flags: --audit-policy-file=/etc/kubernetes/palisade-audit-policy.yaml \
         --audit-webhook-config-file=/etc/kubernetes/palisade-audit-webhook.yaml \
         --audit-webhook-mode=batch --audit-webhook-batch-max-wait=5s"
    )?;
    Ok(ExitCode::SUCCESS)
}

async fn receive(
    axum::extract::State(state): axum::extract::State<ServeState>,
    body: axum::body::Body,
) -> (axum::http::StatusCode, &'static str) {
    use std::sync::atomic::Ordering::Relaxed;
    state.counters.requests.fetch_add(1, Relaxed);
    let bytes = match axum::body::to_bytes(body, state.max_body).await {
        Ok(b) => b,
        Err(_) => {
            state.counters.oversized_requests.fetch_add(1, Relaxed);
            return (
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large\n",
            );
        }
    };
    // Never make the API server wait: a full queue drops the batch, and counts it.
    if state.queue.try_send(bytes).is_err() {
        let dropped = state.counters.dropped_requests.fetch_add(1, Relaxed) + 1;
        if dropped.is_power_of_two() {
            tracing::warn!("detection queue full: {dropped} request(s) dropped so far");
        }
    }
    (axum::http::StatusCode::OK, "")
}

/// Runs the rules on queued request bodies until the queue closes.
fn detect_worker(
    rx: std::sync::mpsc::Receiver<axum::body::Bytes>,
    mut detector: Detector,
    mut dedup: Deduplicator,
    mut output: BufWriter<Box<dyn Write + Send>>,
    counters: std::sync::Arc<Counters>,
) -> anyhow::Result<()> {
    use std::sync::atomic::Ordering::Relaxed;
    let mut stats = Stats::default();
    let mut ready = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_millis(500)) {
            Ok(body) => match palisade_audit::decode_batch(&body) {
                Ok(items) => {
                    for item in items {
                        match item {
                            Ok(event) => {
                                counters.events.fetch_add(1, Relaxed);
                                detector.analyze_deduplicated(&event, &mut dedup, &mut ready);
                            }
                            Err(e) => {
                                counters.malformed.fetch_add(1, Relaxed);
                                stats.malformed("request", 0, &e.to_string());
                            }
                        }
                    }
                }
                Err(e) => {
                    counters.malformed.fetch_add(1, Relaxed);
                    stats.malformed("request", 0, &e.to_string());
                }
            },
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                dedup.expire(now_micros(), &mut ready);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                dedup.flush(&mut ready);
                write_alerts(&mut output, &mut ready, &mut stats)?;
                output.flush()?;
                return Ok(());
            }
        }
        let before = stats.alerts;
        write_alerts(&mut output, &mut ready, &mut stats)?;
        counters.alerts.fetch_add(stats.alerts - before, Relaxed);
        output.flush()?;
    }
}

/// A TCP listener that completes the TLS handshake before handing connections to axum.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, addr) = match self.tcp.accept().await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let handshake =
                tokio::time::timeout(Duration::from_secs(10), self.acceptor.accept(stream));
            match handshake.await {
                Ok(Ok(tls)) => return (tls, addr),
                Ok(Err(e)) => tracing::debug!("TLS handshake with {addr}: {e}"),
                Err(_) => tracing::debug!("TLS handshake with {addr} timed out"),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

fn tls_acceptor(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> anyhow::Result<tokio_rustls::TlsAcceptor> {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("reading {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading {}", cert.display()))?;
    let key =
        PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading {}", key.display()))?;
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .context("TLS certificate and key")?;
    Ok(tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config)))
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    if args.print_config {
        return print_config(&args.url);
    }
    let set = load(&args.rules, !args.no_builtin)?;
    let (engine, diags) = set.compile(&AuditFields);
    let fatal: Vec<_> = diags
        .iter()
        .filter(|d| d.level == Level::Error && d.unsupported_field.is_none())
        .collect();
    for d in &diags {
        tracing::warn!("{d}");
    }
    anyhow::ensure!(fatal.is_empty(), "{} error(s) in the rules", fatal.len());
    let output: BufWriter<Box<dyn Write + Send>> = BufWriter::new(match &args.output {
        Some(p) => Box::new(File::create(p).with_context(|| format!("creating {}", p.display()))?),
        None => Box::new(std::io::stdout()),
    });
    let counters = std::sync::Arc::new(Counters::default());
    let (tx, rx) = std::sync::mpsc::sync_channel(args.queue.max(1));
    let detector = Detector::new(engine, args.cluster.clone());
    let dedup = Deduplicator::new(args.dedup_window, MAX_OPEN_GROUPS);
    let worker_counters = counters.clone();
    let worker = std::thread::Builder::new()
        .name("palisade-detect".into())
        .spawn(move || detect_worker(rx, detector, dedup, output, worker_counters))?;
    let state = ServeState {
        queue: tx,
        counters: counters.clone(),
        max_body: args.max_body,
    };
    let stats_counters = counters.clone();
    let app = axum::Router::new()
        .route("/audit", axum::routing::post(receive))
        .route("/", axum::routing::post(receive))
        .route("/healthz", axum::routing::get(|| async { "ok\n" }))
        .route(
            "/stats",
            axum::routing::get(move || {
                let c = stats_counters.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        c.json().to_string(),
                    )
                }
            }),
        )
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(state);
    let tcp = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = tcp.local_addr()?;
    let result = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let acceptor = tls_acceptor(cert, key)?;
            tracing::warn!("audit webhook listening on https://{addr}/audit");
            axum::serve(TlsListener { tcp, acceptor }, app).await
        }
        _ => {
            tracing::warn!("audit webhook listening on http://{addr}/audit (no TLS: give --tls-cert and --tls-key in production)");
            axum::serve(tcp, app).await
        }
    };
    result.context("serving")?;
    drop(worker);
    Ok(ExitCode::SUCCESS)
}
