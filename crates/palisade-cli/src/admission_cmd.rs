//! `palisade admission ...`: argument definitions and wiring to `palisade-admission`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use palisade_admission::certs::{service_names, CertFiles};
use palisade_admission::manifests::{self, FailurePolicy, ManifestOptions};
use palisade_admission::server::{self, ServeConfig, TlsSource};
use palisade_admission::{Admission, Options};

#[derive(Debug, Subcommand)]
pub enum AdmissionCommand {
    /// Run the validating admission webhook (HTTPS: POST /validate, GET /healthz, /metrics).
    Serve(ServeArgs),
    /// Print what a cluster needs (Namespace, ServiceAccount, policy ConfigMap, TLS Secret,
    /// Deployment, PodDisruptionBudget, Service, ValidatingWebhookConfiguration).
    Manifests(ManifestsArgs),
    /// Decide AdmissionReview files (as the API server sends them) with a policy file and
    /// print each response; exit 1 when one is denied.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0:8443")]
    listen: String,
    /// Policy file (docs/admission.md); repeatable. Without one every request is allowed.
    #[arg(long = "policy", value_name = "FILE")]
    policies: Vec<PathBuf>,
    /// Serving certificate chain (PEM); reloaded when it changes.
    #[arg(long, requires = "tls_key", conflicts_with = "self_signed")]
    tls_cert: Option<PathBuf>,
    /// Serving private key (PEM); reloaded when it changes.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// How often the certificate files are checked for changes.
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    tls_reload: Duration,
    /// Development only: serve a fresh self-signed certificate.
    #[arg(long)]
    self_signed: bool,
    /// With --self-signed: write its certificate (PEM) here, for clients to trust.
    #[arg(long, requires = "self_signed")]
    write_cert: Option<PathBuf>,
    /// The webhook's own namespace: always allowed.
    #[arg(long, env = "POD_NAMESPACE", default_value = "palisade-system")]
    namespace: String,
    /// More namespaces that are always allowed (kube-system is by default).
    #[arg(long = "exempt-namespace", default_value = "kube-system")]
    exempt: Vec<String>,
    /// Largest request body accepted (bytes); bigger ones get HTTP 400.
    #[arg(long, default_value_t = server::DEFAULT_MAX_BODY)]
    max_body: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Failure {
    /// Refuse requests when the webhook does not answer (fail closed).
    Fail,
    /// Admit requests unchecked when the webhook does not answer (fail open).
    Ignore,
}

#[derive(Debug, Args)]
pub struct ManifestsArgs {
    #[arg(long, default_value = "palisade-system")]
    namespace: String,
    #[arg(long, default_value = "palisade-admission")]
    name: String,
    /// The palisade image the Deployment runs (pin it by digest).
    #[arg(long, default_value = concat!("palisade:", env!("CARGO_PKG_VERSION")))]
    image: String,
    #[arg(long, value_enum, default_value_t = Failure::Fail)]
    failure_policy: Failure,
    /// The CA (PEM) that signed the serving certificate in Secret <name>-tls (cert-manager or
    /// your own); without it a CA and a certificate are generated into the output.
    #[arg(long, value_name = "PEM")]
    ca_bundle: Option<PathBuf>,
    /// Policy file for the ConfigMap (default: PSS baseline enforced, restricted and
    /// `:latest` as warnings).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Policy file; repeatable.
    #[arg(long = "policy", value_name = "FILE", required = true)]
    policies: Vec<PathBuf>,
    /// The webhook's own namespace (always allowed).
    #[arg(long, default_value = "palisade-system")]
    namespace: String,
    /// AdmissionReview JSON files.
    #[arg(required = true)]
    reviews: Vec<PathBuf>,
}

fn exempt(namespace: &str, more: &[String]) -> Vec<String> {
    let mut v = vec![namespace.to_owned()];
    v.extend(more.iter().cloned());
    v
}

pub async fn run(command: AdmissionCommand) -> anyhow::Result<ExitCode> {
    match command {
        AdmissionCommand::Serve(a) => {
            let tls = match (a.tls_cert, a.tls_key, a.self_signed) {
                (Some(cert), Some(key), false) => TlsSource::Files {
                    files: CertFiles { cert, key },
                    reload: a.tls_reload,
                },
                (None, None, true) => TlsSource::SelfSigned {
                    names: service_names("palisade-admission", &a.namespace),
                    write_cert: a.write_cert,
                },
                _ => anyhow::bail!("give --tls-cert and --tls-key, or --self-signed"),
            };
            server::serve(ServeConfig {
                listen: a.listen,
                policy_files: a.policies,
                tls,
                exempt_namespaces: exempt(&a.namespace, &a.exempt),
                max_body: a.max_body,
            })
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        AdmissionCommand::Manifests(a) => {
            let read = |p: &PathBuf| {
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
            };
            let policy = match &a.policy {
                Some(p) => {
                    let text = read(p)?;
                    palisade_admission::policy::compile(&text, &p.display().to_string())?;
                    text
                }
                None => manifests::DEFAULT_POLICY.to_owned(),
            };
            let text = manifests::render(&ManifestOptions {
                namespace: a.namespace,
                name: a.name,
                image: a.image,
                failure_policy: match a.failure_policy {
                    Failure::Fail => FailurePolicy::Fail,
                    Failure::Ignore => FailurePolicy::Ignore,
                },
                ca_bundle: a.ca_bundle.as_ref().map(read).transpose()?,
                policy,
            })?;
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        AdmissionCommand::Check(a) => {
            let mut policies = Vec::new();
            for p in &a.policies {
                policies.extend(palisade_admission::load_file(p)?);
            }
            let admission = Admission::new(
                policies,
                Options {
                    exempt_namespaces: exempt(&a.namespace, &["kube-system".into()]),
                },
            );
            let mut denied = false;
            let mut out = std::io::stdout().lock();
            for path in &a.reviews {
                let body =
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
                let request = palisade_admission::decode(&body)
                    .with_context(|| path.display().to_string())?;
                let decision = admission.review(&request);
                denied |= !decision.allowed();
                serde_json::to_writer(&mut out, &decision.response.into_review())?;
                writeln!(out)?;
            }
            Ok(if denied {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Active policies (one with every posture check, a vulnerability gate, 10 Gatekeeper
    /// constraints, then PSS, registry and CIS ones).
    #[arg(long, default_value_t = 100)]
    policies: usize,
    /// Reviews decided in the core (one thread).
    #[arg(long, default_value_t = 20_000)]
    reviews: usize,
    /// Seconds of load over loopback TLS per phase (0: core only).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent HTTPS connections of the built-in load generator.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// The fixed-rate phase's requests per second.
    #[arg(long, default_value_t = 500)]
    rate: u64,
    /// Keep serving on loopback TLS after the phases and print how to load it with an external
    /// generator (`oha`); stops on Ctrl-C.
    #[arg(long)]
    serve: bool,
}

/// One load phase's figures (client-side latency, full HTTPS round trip).
struct Phase {
    ok: usize,
    errors: usize,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

async fn load(
    addr: std::net::SocketAddr,
    cert: &str,
    body: Vec<u8>,
    seconds: u64,
    concurrency: usize,
    rate: Option<u64>,
) -> anyhow::Result<Phase> {
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.as_bytes())?)
        .tls_built_in_root_certs(false)
        .timeout(Duration::from_secs(5))
        .build()?;
    let url = format!("https://127.0.0.1:{}/validate", addr.port());
    let body = axum::body::Bytes::from(body);
    let until = std::time::Instant::now() + Duration::from_secs(seconds);
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency.max(1) {
        let (client, url, body) = (client.clone(), url.clone(), body.clone());
        // With a rate, each worker sends its share on a fixed schedule.
        let interval = rate.map(|r| Duration::from_secs_f64(concurrency as f64 / r.max(1) as f64));
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0usize;
            let mut next = std::time::Instant::now()
                + interval.map_or(Duration::ZERO, |i| {
                    i.mul_f64(worker as f64 / concurrency as f64)
                });
            while std::time::Instant::now() < until {
                if interval.is_some() {
                    tokio::time::sleep_until(next.into()).await;
                }
                let t = std::time::Instant::now();
                let ok = match client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
                    _ => false,
                };
                if ok {
                    times.push(t.elapsed());
                } else {
                    errors += 1;
                }
                if let Some(i) = interval {
                    next += i;
                }
            }
            (times, errors)
        }));
    }
    let mut times = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (ts, e) = t.await?;
        times.extend(ts);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort();
    let pct = |p: f64| {
        if times.is_empty() {
            return 0.0;
        }
        let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
        times[i].as_secs_f64() * 1e3
    };
    Ok(Phase {
        ok: times.len(),
        errors,
        per_second: times.len() as f64 / elapsed,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
    })
}

/// `palisade bench admission`.
pub async fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    use palisade_admission::bench;
    let (policies, reviews) = (args.policies, args.reviews);
    let fixtures = tempfile::tempdir()?;
    bench::write_fixtures(fixtures.path())?;
    let dir = fixtures.path().to_owned();
    let core = tokio::task::spawn_blocking(move || bench::core(policies, reviews, &dir)).await?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "core (one thread, decode + decide + encode): {} policies, {} checks per review, {} findings per review",
        core.policies, core.checks_evaluated_per_review, core.findings_per_review
    )?;
    writeln!(
        out,
        "  {} reviews: {:.0} reviews/s, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        core.reviews, core.reviews_per_second, core.p50_us, core.p99_us, core.max_us
    )?;
    drop(out);
    if args.seconds == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    let (addr, cert) = bench::start_loopback(args.policies, fixtures.path()).await?;
    let body = serde_json::to_vec(&bench::sample_review())?;
    for (name, rate) in [("fixed rate", Some(args.rate)), ("saturation", None)] {
        let p = load(
            addr,
            &cert,
            body.clone(),
            args.seconds,
            args.concurrency,
            rate,
        )
        .await?;
        writeln!(
            std::io::stdout(),
            "loopback TLS, {name}{}: {} connections, {:.0} reviews/s, p50 {:.2} ms, p99 {:.2} ms, {} ok, {} errors (client and server share this machine)",
            rate.map(|r| format!(" {r}/s")).unwrap_or_default(),
            args.concurrency,
            p.per_second,
            p.p50_ms,
            p.p99_ms,
            p.ok,
            p.errors
        )?;
    }
    if let Some(kib) = crate::bench::peak_rss_kib() {
        writeln!(
            std::io::stdout(),
            "peak RSS of this process (server, client and core run): {:.1} MiB",
            kib as f64 / 1024.0
        )?;
    }
    if args.serve {
        let dir = tempfile::tempdir()?;
        let (c, b) = (dir.path().join("ca.pem"), dir.path().join("review.json"));
        std::fs::write(&c, &cert)?;
        std::fs::write(&b, &body)?;
        writeln!(
            std::io::stdout(),
            "serving on https://{addr}/validate; e.g.\n  oha -z 10s -c 8 -m POST -T application/json -D {} --cacert {} https://localhost:{}/validate",
            b.display(),
            c.display(),
            addr.port()
        )?;
        tokio::signal::ctrl_c().await?;
    }
    Ok(ExitCode::SUCCESS)
}
