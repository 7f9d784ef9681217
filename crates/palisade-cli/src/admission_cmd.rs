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
