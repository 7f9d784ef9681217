//! `palisade bench synthetic-image`: builds a large synthetic docker-archive (many layers and
//! files, some package databases among them) and measures a scan of it in a child process:
//! wall time and peak resident memory (the child reports its own VmHWM).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::Context;
use sha2::{Digest, Sha256};

#[derive(Debug, clap::Args)]
pub struct SyntheticArgs {
    /// Total uncompressed size of all layers, in MiB.
    #[arg(long, default_value_t = 2048)]
    pub size_mib: u64,
    /// Number of files across all layers.
    #[arg(long, default_value_t = 100_000)]
    pub files: u64,
    #[arg(long, default_value_t = 10)]
    pub layers: u64,
    /// Where to write the archive (reused when it exists with the same parameters).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Scans to run; the median time is reported.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
}

pub fn synthetic_image(args: &SyntheticArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!(
            "palisade-synthetic-{}m-{}f-{}l.tar",
            args.size_mib, args.files, args.layers
        ))
    });
    if !out.is_file() {
        let started = Instant::now();
        write_archive(&out, args).with_context(|| format!("writing {}", out.display()))?;
        tracing::info!("wrote {} in {:.1?}", out.display(), started.elapsed());
    }
    let exe = std::env::current_exe()?;
    let cache = tempfile::tempdir()?;
    let mut times = Vec::new();
    let mut peaks = Vec::new();
    let mut packages = 0usize;
    for _ in 0..args.runs.max(1) {
        let started = Instant::now();
        let output = Command::new(&exe)
            .args(["sbom", "-f", "json", "--no-cache"])
            .arg(format!("docker-archive:{}", out.display()))
            .env("PALISADE_REPORT_PEAK_RSS", "1")
            .env("PALISADE_CACHE_DIR", cache.path())
            .output()?;
        let elapsed = started.elapsed();
        anyhow::ensure!(
            output.status.success(),
            "scan failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let inventory: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        packages = inventory["packages"].as_array().map_or(0, Vec::len);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let peak = stderr
            .lines()
            .find_map(|l| l.strip_prefix("palisade: peak RSS "))
            .and_then(|l| l.trim_end_matches(" KiB").parse::<u64>().ok())
            .context("the scan did not report its peak RSS")?;
        times.push(elapsed.as_secs_f64());
        peaks.push(peak);
    }
    times.sort_by(f64::total_cmp);
    let report = serde_json::json!({
        "archive": out.display().to_string(),
        "archive_bytes": std::fs::metadata(&out)?.len(),
        "files": args.files,
        "layers": args.layers,
        "packages_found": packages,
        "scan_seconds_median": times[times.len() / 2],
        "scan_seconds_all": times,
        "peak_rss_mib_max": peaks.iter().max().copied().unwrap_or(0) / 1024,
    });
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &report)?;
    writeln!(stdout)?;
    Ok(ExitCode::SUCCESS)
}

/// xorshift64*: fast, incompressible-enough filler; no need for real randomness.
struct Filler(u64);

impl Filler {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            let v = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

fn append(
    builder: &mut tar::Builder<impl Write>,
    path: &str,
    mode: u32,
    data: &[u8],
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(mode);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mtime(0);
    builder.append_data(&mut header, path, data)
}

/// Package databases sprinkled through the layers so that catalogers have real work.
fn package_files(layer: u64) -> Vec<(String, u32, Vec<u8>)> {
    let mut files = Vec::new();
    if layer == 0 {
        let mut status = String::new();
        for i in 0..300 {
            status.push_str(&format!(
                "Package: synth-pkg-{i}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.{i}-1\nSource: synth-src-{}\nDescription: synthetic\n\n",
                i / 3
            ));
        }
        files.push(("var/lib/dpkg/status".into(), 0o644, status.into_bytes()));
        files.push((
            "etc/os-release".into(),
            0o644,
            b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Synthetic 12\"\n".to_vec(),
        ));
    }
    for i in 0..50 {
        files.push((
            format!("usr/lib/python3/site-packages/synth_{layer}_{i}-1.0.dist-info/METADATA"),
            0o644,
            format!("Metadata-Version: 2.1\nName: synth-{layer}-{i}\nVersion: 1.{i}\n\n")
                .into_bytes(),
        ));
        files.push((
            format!("app/node_modules/synth-{layer}-{i}/package.json"),
            0o644,
            format!("{{\"name\":\"synth-{layer}-{i}\",\"version\":\"2.{i}.0\"}}").into_bytes(),
        ));
    }
    files
}

fn write_archive(out: &Path, args: &SyntheticArgs) -> anyhow::Result<()> {
    let dir = tempfile::tempdir_in(out.parent().unwrap_or(Path::new(".")))?;
    let per_layer_files = (args.files / args.layers.max(1)).max(1);
    let file_size = ((args.size_mib << 20) / args.files.max(1)).max(1) as usize;
    let mut filler = Filler(0x9e37_79b9_7f4a_7c15);
    let mut buf = vec![0u8; file_size];
    let mut diff_ids = Vec::new();
    for layer in 0..args.layers {
        let path = dir.path().join(format!("{layer}.tar"));
        let file = std::fs::File::create(&path)?;
        let mut hashing = HashingWriter(BufWriter::new(file), Sha256::new());
        {
            let mut builder = tar::Builder::new(&mut hashing);
            for (name, mode, data) in package_files(layer) {
                append(&mut builder, &name, mode, &data)?;
            }
            for i in 0..per_layer_files {
                filler.fill(&mut buf);
                // One file in fifty is executable, so binary catalogers look at it too.
                let mode = if i % 50 == 0 { 0o755 } else { 0o644 };
                append(
                    &mut builder,
                    &format!("data/l{layer}/d{}/f{i}", i % 100),
                    mode,
                    &buf,
                )?;
            }
            builder.finish()?;
        }
        hashing.0.flush()?;
        diff_ids.push(format!("sha256:{}", hex::encode(hashing.1.finalize())));
    }
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": (0..args.layers).map(|i| serde_json::json!({"created_by": format!("synthetic layer {i}")})).collect::<Vec<_>>(),
    });
    let config_bytes = serde_json::to_vec(&config)?;
    let config_name = format!("{}.json", hex::encode(Sha256::digest(&config_bytes)));
    let manifest = serde_json::json!([{
        "Config": config_name,
        "RepoTags": ["palisade/synthetic:latest"],
        "Layers": (0..args.layers).map(|i| format!("{i}/layer.tar")).collect::<Vec<_>>(),
    }]);
    let partial = out.with_extension("partial");
    {
        let mut outer = tar::Builder::new(BufWriter::new(std::fs::File::create(&partial)?));
        append(&mut outer, &config_name, 0o644, &config_bytes)?;
        for layer in 0..args.layers {
            let path = dir.path().join(format!("{layer}.tar"));
            outer.append_path_with_name(&path, format!("{layer}/layer.tar"))?;
        }
        append(
            &mut outer,
            "manifest.json",
            0o644,
            &serde_json::to_vec(&manifest)?,
        )?;
        outer.into_inner()?.flush()?;
    }
    std::fs::rename(&partial, out)?;
    Ok(())
}

struct HashingWriter<W>(W, Sha256);

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// This process's peak resident set size in KiB, from /proc/self/status (Linux only).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
