//! `palisade keygen`, `palisade report verify`, and the signing step of `image scan --sign`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use palisade_model::{ScanReport, Severity};
use palisade_report::intoto::{self, AttestationContext, VerifiedReport};
use palisade_report::keys::{PrivateKey, PublicKey, MAX_KEY_BYTES};

use crate::VerifyFormat;

/// `palisade keygen`: PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SPKI PEM). Existing
/// files are never overwritten.
pub fn keygen(prefix: &Path) -> anyhow::Result<ExitCode> {
    let private_path = with_suffix(prefix, "key");
    let public_path = with_suffix(prefix, "pub");
    for path in [&private_path, &public_path] {
        if path.exists() {
            anyhow::bail!("{} exists; not overwriting a key", path.display());
        }
    }
    let key = PrivateKey::generate()?;
    let public = key.public_key();
    write_new(&private_path, key.to_pem()?.as_bytes(), 0o600)?;
    write_new(&public_path, public.to_pem()?.as_bytes(), 0o644)?;
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "wrote {} (private: keep it secret) and {}",
            private_path.display(),
            public_path.display()
        );
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", public.key_id())?;
    Ok(ExitCode::SUCCESS)
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

fn read_capped(path: &Path, limit: usize) -> anyhow::Result<Vec<u8>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() > limit {
        anyhow::bail!(
            "{} is larger than the {limit} bytes accepted",
            path.display()
        );
    }
    Ok(bytes)
}

fn read_pem(path: &Path) -> anyhow::Result<String> {
    let bytes = read_capped(path, MAX_KEY_BYTES)?;
    String::from_utf8(bytes).with_context(|| format!("{} is not a PEM text file", path.display()))
}

/// Reads the private key for `image scan --sign` (before the scan, so a bad key fails fast).
pub fn load_private_key(path: &Path) -> anyhow::Result<PrivateKey> {
    let pem = read_pem(path)?;
    PrivateKey::from_pem(&pem).with_context(|| format!("reading the key {}", path.display()))
}

/// Reads a public key (SPKI PEM), e.g. to verify a database bundle.
pub fn load_public_key(path: &Path) -> anyhow::Result<PublicKey> {
    let pem = read_pem(path)?;
    PublicKey::from_pem(&pem).with_context(|| format!("reading the public key {}", path.display()))
}

/// The DSSE envelope of `report`, signed with `key`. `started` is when the scan began.
pub fn sign(
    report: &ScanReport,
    key: &PrivateKey,
    started: std::time::SystemTime,
) -> anyhow::Result<Vec<u8>> {
    let rfc3339 = |t: std::time::SystemTime| humantime::format_rfc3339_seconds(t).to_string();
    let ctx = AttestationContext {
        scan_started_on: rfc3339(started),
        scan_finished_on: rfc3339(std::time::SystemTime::now()),
        db_last_update: databases_updated(report).map(rfc3339),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    Ok(intoto::sign_report(report, &ctx, key)?)
}

/// When the advisory data was last updated: the newest modification time of the database files
/// the scan read (their contents are pinned by the digests in the report).
fn databases_updated(report: &ScanReport) -> Option<std::time::SystemTime> {
    report
        .databases
        .iter()
        .filter_map(|d| std::fs::metadata(&d.source).and_then(|m| m.modified()).ok())
        .max()
}

/// `palisade report verify --key PUB FILE`: 0 when valid, 1 when invalid or tampered, 2 when
/// the input cannot be read (the caller turns errors into 2).
pub fn verify(key: &Path, file: &Path, format: VerifyFormat) -> anyhow::Result<ExitCode> {
    let pem = read_pem(key)?;
    let key = PublicKey::from_pem(&pem)
        .with_context(|| format!("reading the public key {}", key.display()))?;
    let bytes = read_capped(file, palisade_report::dsse::MAX_ENVELOPE_BYTES)?;
    let verified = match intoto::verify_report(&bytes, &key) {
        Ok(v) => v,
        Err(e) if e.is_unreadable() => {
            return Err(anyhow::Error::new(e).context(format!("reading {}", file.display())))
        }
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("INVALID: {}: {e}", file.display());
            }
            return Ok(ExitCode::from(1));
        }
    };
    let mut out = Vec::new();
    match format {
        VerifyFormat::Json => {
            match &verified.statement.predicate.report {
                Some(report) => serde_json::to_writer_pretty(&mut out, report)?,
                None => serde_json::to_writer_pretty(&mut out, &verified.statement)?,
            }
            writeln!(out)?;
        }
        VerifyFormat::Statement => {
            serde_json::to_writer_pretty(&mut out, &verified.statement)?;
            writeln!(out)?;
        }
        VerifyFormat::Table => summary(&verified, &mut out)?,
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn summary(v: &VerifiedReport, out: &mut dyn Write) -> anyhow::Result<()> {
    let clean = |s: &str| -> String { s.chars().filter(|c| !c.is_control()).collect() };
    let s = &v.statement;
    let p = &s.predicate;
    writeln!(out, "Verified:   signature by key {}", v.key_id)?;
    for subject in &s.subject {
        let digests: Vec<String> = subject
            .digest
            .iter()
            .map(|(alg, hex)| format!("{}:{}", clean(alg), clean(hex)))
            .collect();
        writeln!(
            out,
            "Subject:    {} {}",
            clean(&subject.name),
            digests.join(" ")
        )?;
    }
    writeln!(out, "Predicate:  {}", clean(&s.predicate_type))?;
    writeln!(
        out,
        "Scanner:    {}",
        clean(&p.scanner.uri) // the version is part of the uri
    )?;
    if let Some(db) = &p.scanner.db {
        writeln!(
            out,
            "Database:   {} (updated {})",
            clean(db.version.as_deref().unwrap_or("-")),
            clean(&db.last_update)
        )?;
    }
    writeln!(
        out,
        "Scanned:    {} to {}",
        clean(&p.metadata.scan_started_on),
        clean(&p.metadata.scan_finished_on)
    )?;
    let mut counts = std::collections::BTreeMap::<Severity, usize>::new();
    for r in &p.scanner.result {
        let rating = r
            .severity
            .iter()
            .find(|s| s.method == "palisade")
            .and_then(|s| s.score.parse::<Severity>().ok())
            .unwrap_or(Severity::Unknown);
        *counts.entry(rating).or_default() += 1;
    }
    let by_severity: Vec<String> = counts
        .iter()
        .rev()
        .map(|(sev, n)| format!("{n} {}", sev.to_string().to_ascii_lowercase()))
        .collect();
    let suppressed = p.report.as_ref().map_or(0, |r| r.suppressed.len());
    writeln!(
        out,
        "Findings:   {}{}{}",
        p.scanner.result.len(),
        if by_severity.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_severity.join(", "))
        },
        if suppressed > 0 {
            format!(", {suppressed} suppressed")
        } else {
            String::new()
        }
    )?;
    if let Some(report) = &p.report {
        writeln!(out)?;
        palisade_report::write_findings(report, palisade_report::FindingsFormat::Table, out)?;
    }
    Ok(())
}

/// Timestamp, serial number and tool version of a CycloneDX document made now.
pub fn document_context() -> palisade_report::DocumentContext {
    palisade_report::DocumentContext {
        timestamp: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        uuid: uuid::Uuid::new_v4().to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    }
}
