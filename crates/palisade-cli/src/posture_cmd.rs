//! `palisade posture scan` (manifests → findings, compliance) and `palisade bench posture`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use palisade_checks::exceptions::{self, Exception, Suppressed};
use palisade_checks::frameworks::{summarize, ComplianceSummary, Framework};
use palisade_checks::{evaluate, Check, PostureFinding, Settings, CHECKS};
use palisade_k8s::{load_paths, Inventory, LoadOptions};
use palisade_model::Severity;
use serde::Serialize;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PostureFormat {
    Table,
    Json,
    /// SARIF 2.1.0 with file and line of every finding.
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Manifest files or directories (every *.yaml, *.yml, *.json below); `-` reads stdin
    /// (e.g. `helm template . | palisade posture scan -`).
    #[arg(required_unless_present = "cluster")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[arg(short, long, value_enum, default_value_t = PostureFormat::Table)]
    pub format: PostureFormat,
    /// Exit with status 1 when a finding at or above this severity remains.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Run only this framework's checks and print its compliance summary:
    /// pss-baseline, pss-restricted, cis, nsa, mitre.
    #[arg(long)]
    pub framework: Option<Framework>,
    /// Accepted risks (YAML: `exceptions: [{check, namespace, name, kind, labels, reason, expires}]`).
    #[arg(long)]
    pub exceptions: Option<PathBuf>,
    /// Registries images may come from (repeatable); enables the registry allow-list check.
    #[arg(long = "allowed-registry")]
    pub allowed_registries: Vec<String>,
    /// Gatekeeper ConstraintTemplates and constraints (files or directories, repeatable): every
    /// constraint runs over the objects it matches; findings carry the id `Kind/name`.
    #[arg(long, value_name = "DIR")]
    pub policy: Vec<PathBuf>,
    /// Write to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// The JSON report (`-f json`). Schema version 1:
/// `{schema_version, summary{files, objects, templates, findings, by_severity, suppressed, errors},
///   findings[{check_id, title, severity, category, object{api_version, kind, namespace?, name},
///   message, location{file, line}, pointer, remediation, patch_at, patch}],
///   suppressed[{finding, source, reason, expires?}], errors[{location{file, line}, message}],
///   compliance?{framework, name, controls[{control, checks, passed, findings}], passed, failed, score}}`.
#[derive(Debug, Serialize)]
struct Report<'a> {
    schema_version: u32,
    summary: Summary,
    findings: &'a [PostureFinding],
    suppressed: &'a [Suppressed],
    errors: Vec<ErrorEntry>,
    /// Kinds a `--cluster` scan could not list (403, 404), so could not check.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    coverage_gaps: Vec<palisade_k8s::CoverageGap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compliance: Option<&'a ComplianceSummary>,
}

#[derive(Debug, Serialize)]
struct Summary {
    files: usize,
    objects: usize,
    templates: usize,
    findings: usize,
    by_severity: BTreeMap<&'static str, usize>,
    suppressed: usize,
    errors: usize,
}

#[derive(Debug, Serialize)]
struct ErrorEntry {
    location: palisade_k8s::SourceLocation,
    message: String,
}

pub fn scan(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let exceptions: Vec<Exception> = match &args.exceptions {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            exceptions::parse_file(&text)
                .with_context(|| format!("exceptions file {}", path.display()))?
        }
        None => Vec::new(),
    };
    if let Some(f) = args.framework.filter(|f| f.is_host()) {
        anyhow::bail!(
            "{} is a host framework: use `palisade host scan --framework`",
            f.name()
        );
    }
    let (loaded, coverage_gaps) = load_sources(&args.paths, &args.cluster)?;
    let mut errors: Vec<ErrorEntry> = loaded
        .errors
        .iter()
        .map(|e| ErrorEntry {
            location: e.location.clone(),
            message: e.message.clone(),
        })
        .collect();
    let files = loaded.files;
    let inventory = Inventory::new(loaded.objects);
    let checks: Vec<&dyn Check> = CHECKS
        .iter()
        .copied()
        .filter(|c| args.framework.is_none_or(|f| f.includes(c.meta().id)))
        .collect();
    let settings = Settings {
        allowed_registries: args.allowed_registries.clone(),
    };
    let mut eval = evaluate(&inventory, &checks, &settings);
    errors.extend(eval.errors.iter().map(|e| ErrorEntry {
        location: e.location.clone(),
        message: e.message.clone(),
    }));
    if !args.policy.is_empty() {
        let (policies, policy_errors) = palisade_checks::rego::load_paths(&args.policy);
        let rego = policies.evaluate(&inventory);
        errors.extend(
            policy_errors
                .into_iter()
                .chain(rego.errors)
                .map(|e| ErrorEntry {
                    location: e.location,
                    message: e.message,
                }),
        );
        eval.findings.extend(rego.findings);
        eval.findings.sort_by(|a, b| {
            (&a.location.file, a.location.line, a.check_id).cmp(&(
                &b.location.file,
                b.location.line,
                b.check_id,
            ))
        });
    }
    let (findings, suppressed) = exceptions::apply(
        eval.findings,
        &inventory,
        &exceptions,
        &exceptions::today_utc(),
    );
    let compliance = args.framework.map(|f| summarize(f, &findings));
    for e in &errors {
        tracing::warn!("{}: {}", e.location, e.message);
    }

    let mut by_severity = BTreeMap::new();
    for f in &findings {
        *by_severity.entry(f.severity.as_str()).or_insert(0) += 1;
    }
    let summary = Summary {
        files,
        objects: eval.objects,
        templates: eval.templates,
        findings: findings.len(),
        by_severity,
        suppressed: suppressed.len(),
        errors: errors.len(),
    };
    let had_errors = summary.errors > 0;
    let mut out: Vec<u8> = Vec::new();
    match args.format {
        PostureFormat::Json => {
            let report = Report {
                schema_version: 1,
                summary,
                findings: &findings,
                suppressed: &suppressed,
                errors,
                coverage_gaps,
                compliance: compliance.as_ref(),
            };
            serde_json::to_writer_pretty(&mut out, &report)?;
            out.push(b'\n');
        }
        PostureFormat::Sarif => {
            let log = palisade_checks::sarif::sarif_log(&findings, env!("CARGO_PKG_VERSION"));
            serde_json::to_writer_pretty(&mut out, &log)?;
            out.push(b'\n');
        }
        PostureFormat::Table => {
            write_table(&mut out, &findings, &summary, compliance.as_ref(), &errors)?;
            for gap in &coverage_gaps {
                out.extend(
                    format!("coverage gap: {} not listed ({})\n", gap.kind, gap.status).as_bytes(),
                );
            }
        }
    }
    match &args.output {
        Some(path) => {
            std::fs::write(path, &out).with_context(|| format!("writing {}", path.display()))?
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&out)?;
            stdout.flush()?;
        }
    }
    if had_errors {
        return Ok(ExitCode::from(2));
    }
    if let Some(threshold) = args.fail_on {
        if findings.iter().any(|f| f.severity >= threshold) {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_table(
    out: &mut Vec<u8>,
    findings: &[PostureFinding],
    summary: &Summary,
    compliance: Option<&ComplianceSummary>,
    errors: &[ErrorEntry],
) -> anyhow::Result<()> {
    write_findings(out, findings)?;
    let sev: Vec<String> = ["CRITICAL", "HIGH", "MEDIUM", "LOW"]
        .iter()
        .filter_map(|s| {
            summary
                .by_severity
                .get(s)
                .map(|n| format!("{n} {}", s.to_lowercase()))
        })
        .collect();
    writeln!(
        out,
        "{} findings{} in {} objects ({} pod templates) from {} files; {} suppressed; {} errors",
        summary.findings,
        if sev.is_empty() {
            String::new()
        } else {
            format!(" ({})", sev.join(", "))
        },
        summary.objects,
        summary.templates,
        summary.files,
        summary.suppressed,
        summary.errors
    )?;
    for e in errors {
        writeln!(out, "error: {}: {}", e.location, e.message)?;
    }
    write_compliance(out, compliance)
}

/// The findings as an aligned table (severity, check, object, location, message); nothing
/// when there are none. Shared with `palisade host scan`.
pub(crate) fn write_findings(out: &mut Vec<u8>, findings: &[PostureFinding]) -> anyhow::Result<()> {
    let rows: Vec<[String; 5]> = findings
        .iter()
        .map(|f| {
            [
                f.severity.to_string(),
                f.check_id.to_owned(),
                f.object.to_string(),
                f.location.to_string(),
                f.message.clone(),
            ]
        })
        .collect();
    let headers = ["SEVERITY", "CHECK", "OBJECT", "LOCATION", "MESSAGE"];
    let mut widths = headers.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.len());
        }
    }
    if !rows.is_empty() {
        let line = |cells: [&str; 5]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i == 4 {
                    s.push_str(c);
                } else {
                    s.push_str(&format!("{c:<w$}  ", w = widths[i]));
                }
            }
            s.trim_end().to_owned() + "\n"
        };
        out.extend(line(headers).as_bytes());
        for r in &rows {
            out.extend(line([&r[0], &r[1], &r[2], &r[3], &r[4]]).as_bytes());
        }
        out.push(b'\n');
    }
    Ok(())
}

/// A framework's compliance summary, one line per control. Shared with `palisade host scan`.
pub(crate) fn write_compliance(
    out: &mut Vec<u8>,
    compliance: Option<&ComplianceSummary>,
) -> anyhow::Result<()> {
    if let Some(c) = compliance {
        writeln!(
            out,
            "\n{}: {}/{} controls passed, score {:.1}%",
            c.name,
            c.passed,
            c.passed + c.failed,
            c.score
        )?;
        for control in &c.controls {
            let line = format!(
                "  {} {:<28} {:<40} {}",
                if control.passed { "PASS" } else { "FAIL" },
                control.control,
                control.checks.join(","),
                if control.passed {
                    String::new()
                } else {
                    format!("{} findings", control.findings)
                }
            );
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Objects to generate (Deployments, Services, Roles, bindings, namespaces, ...).
    #[arg(long, default_value_t = 10_000)]
    pub objects: usize,
    /// Runs; the median time is reported.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
}

/// `palisade bench posture`: writes a synthetic manifest stream, then loads and evaluates it
/// with every check on this thread (one core), and reports time and peak RSS.
pub fn bench(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("objects.yaml");
    std::fs::write(&path, synthetic_manifests(args.objects))?;
    let mut times = Vec::new();
    let mut findings = 0;
    let mut objects = 0;
    for _ in 0..args.runs.max(1) {
        let started = Instant::now();
        let loaded = load_paths(std::slice::from_ref(&path), &LoadOptions::default());
        anyhow::ensure!(
            loaded.errors.is_empty(),
            "synthetic manifests do not load: {:?}",
            loaded.errors.first()
        );
        let inventory = Inventory::new(loaded.objects);
        let eval = evaluate(&inventory, CHECKS, &Settings::default());
        times.push(started.elapsed());
        findings = eval.findings.len();
        objects = eval.objects;
    }
    times.sort();
    let median = times[times.len() / 2];
    let rss = crate::bench::peak_rss_kib().unwrap_or(0);
    let report = serde_json::json!({
        "objects": objects,
        "checks": CHECKS.len(),
        "findings": findings,
        "median_seconds": median.as_secs_f64(),
        "runs": times.iter().map(|t| t.as_secs_f64()).collect::<Vec<_>>(),
        "peak_rss_mib": rss as f64 / 1024.0,
    });
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &report)?;
    writeln!(stdout)?;
    Ok(ExitCode::SUCCESS)
}

/// A realistic mix: per group of 10 objects, a Namespace-scoped Deployment (hardened or not),
/// a StatefulSet, a CronJob, a Service, a ConfigMap, a Role, a RoleBinding, a ServiceAccount,
/// an Ingress and a NetworkPolicy.
pub fn synthetic_manifests(objects: usize) -> String {
    let mut s = String::with_capacity(objects * 700);
    for i in 0..objects {
        let ns = format!("team-{}", i / 500);
        let n = i / 10;
        let doc = match i % 10 {
            0 => format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{n}\n  namespace: {ns}\n  labels: {{app: web-{n}}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: web-{n}}}}}\n  template:\n    metadata:\n      labels: {{app: web-{n}}}\n    spec:\n      containers:\n      - name: web\n        image: registry.example.com/shop/web:1.{n}\n        ports: [{{containerPort: 8080}}]\n        env:\n        - name: DB_PASSWORD\n          valueFrom: {{secretKeyRef: {{name: db, key: password}}}}\n        resources:\n          requests: {{cpu: 100m, memory: 128Mi}}\n          limits: {{memory: 256Mi}}\n        securityContext:\n          privileged: {}\n          allowPrivilegeEscalation: false\n", n % 7 == 0),
            1 => format!("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db-{n}\n  namespace: {ns}\nspec:\n  serviceName: db-{n}\n  selector: {{matchLabels: {{app: db-{n}}}}}\n  template:\n    metadata:\n      labels: {{app: db-{n}}}\n    spec:\n      securityContext:\n        runAsNonRoot: true\n        seccompProfile: {{type: RuntimeDefault}}\n      containers:\n      - name: db\n        image: postgres@sha256:{:064x}\n        securityContext:\n          allowPrivilegeEscalation: false\n          capabilities: {{drop: [ALL]}}\n          readOnlyRootFilesystem: true\n        volumeMounts: [{{name: data, mountPath: /var/lib/postgresql}}]\n      volumes:\n      - name: data\n        hostPath: {{path: /var/lib/db-{n}}}\n", n),
            2 => format!("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: report-{n}\n  namespace: {ns}\nspec:\n  schedule: \"0 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          hostNetwork: {}\n          containers:\n          - name: report\n            image: busybox:latest\n            command: [sh, -c, date]\n", n % 3 == 0),
            3 => format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: web-{n}\n  namespace: {ns}\nspec:\n  type: {}\n  selector: {{app: web-{n}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n", if n % 5 == 0 { "LoadBalancer" } else { "ClusterIP" }),
            4 => format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg-{n}\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n"),
            5 => format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader-{n}\n  namespace: {ns}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods, {}]\n  verbs: [get, list, watch]\n", if n % 4 == 0 { "secrets" } else { "configmaps" }),
            6 => format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: reader-{n}\n  namespace: {ns}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader-{n}}}\nsubjects:\n- {{kind: ServiceAccount, name: app-{n}, namespace: {ns}}}\n"),
            7 => format!("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app-{n}\n  namespace: {ns}\nautomountServiceAccountToken: false\n"),
            8 => format!("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web-{n}\n  namespace: {ns}\nspec:\n  rules:\n  - host: web-{n}.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend: {{service: {{name: web-{n}, port: {{number: 80}}}}}}\n"),
            _ => format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny-{n}\n  namespace: {ns}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress]\n"),
        };
        s.push_str("---\n");
        s.push_str(&doc);
    }
    s
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum InventoryFormat {
    Table,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct InventoryArgs {
    /// Manifest files or directories; `-` reads stdin.
    #[arg(required_unless_present = "cluster")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[arg(short, long, value_enum, default_value_t = InventoryFormat::Table)]
    pub format: InventoryFormat,
}

/// Where the objects come from besides files: the live cluster.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    /// Also read the live cluster (kubeconfig, or the in-cluster service account): workloads,
    /// services, ingresses, network policies, RBAC, nodes, webhooks; secrets and config maps as
    /// metadata only. Kinds the credentials may not list are reported as coverage gaps.
    #[arg(long)]
    pub cluster: bool,
    /// Kubeconfig context (default: the current one).
    #[arg(long, requires = "cluster")]
    pub context: Option<String>,
    /// Kubeconfig file (default: $KUBECONFIG, ~/.kube/config).
    #[arg(long, requires = "cluster")]
    pub kubeconfig: Option<PathBuf>,
}

/// The objects of the files in `paths`, plus the live cluster's with `--cluster` (and the kinds
/// it could not list).
pub(crate) fn load_sources(
    paths: &[PathBuf],
    cluster: &ClusterArgs,
) -> anyhow::Result<(palisade_k8s::Loaded, Vec<palisade_k8s::CoverageGap>)> {
    let mut loaded = load_paths(paths, &LoadOptions::default());
    if !cluster.cluster {
        return Ok((loaded, Vec::new()));
    }
    let options = palisade_k8s::ClusterOptions {
        kubeconfig: cluster.kubeconfig.clone(),
        context: cluster.context.clone(),
    };
    // Called from a blocking thread of the runtime: wait for the async client here.
    let from_cluster = tokio::runtime::Handle::current()
        .block_on(palisade_k8s::load_cluster(&options))
        .context("reading the cluster")?;
    for gap in &from_cluster.gaps {
        tracing::warn!(
            "coverage gap: cannot list {} ({}): {}",
            gap.kind,
            gap.status,
            gap.reason
        );
    }
    loaded.objects.extend(from_cluster.objects);
    Ok((loaded, from_cluster.gaps))
}

/// `palisade posture inventory`: the graph of workloads, containers, images, exposure and
/// service-account permissions.
pub fn inventory(args: &InventoryArgs) -> anyhow::Result<ExitCode> {
    let (loaded, _gaps) = load_sources(&args.paths, &args.cluster)?;
    for e in &loaded.errors {
        tracing::warn!("{e}");
    }
    let had_errors = !loaded.errors.is_empty();
    let inventory = Inventory::new(loaded.objects);
    let graph = palisade_k8s::graph::build(&inventory);
    let mut out: Vec<u8> = Vec::new();
    match args.format {
        InventoryFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &graph)?;
            out.push(b'\n');
        }
        InventoryFormat::Table => {
            writeln!(out, "WORKLOAD\tINTERNET\tSERVICE ACCOUNT\tRULES\tIMAGES")?;
            for n in graph
                .nodes
                .iter()
                .filter(|n| n.properties.contains_key("internetFacing"))
            {
                let images: Vec<&str> = graph
                    .targets(&n.id, "has-container")
                    .flat_map(|c| graph.targets(c, "runs-image"))
                    .map(|i| i.trim_start_matches("Image/"))
                    .collect();
                let sa = graph.targets(&n.id, "runs-as").next().unwrap_or("");
                let rules = graph
                    .node(sa)
                    .and_then(|s| s.properties.get("effectiveRules"))
                    .and_then(|r| r.as_array())
                    .map_or(0, Vec::len);
                let facing = n.properties["internetFacing"].as_bool() == Some(true);
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    n.id,
                    if facing { "yes" } else { "no" },
                    sa.trim_start_matches("ServiceAccount/"),
                    rules,
                    images.join(",")
                )?;
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(if had_errors {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
