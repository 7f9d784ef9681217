//! `palisade bench vulndb`: a database of many advisories (the real OSV records given, then
//! generated records of exactly their shape, under new ids and package names, until the
//! requested count), measured: ingest rate, database size, open time, and the time to match
//! an inventory of thousands of packages.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use palisade_model::{Ecosystem, Inventory, Package};
use palisade_vulndb::osv::Record;
use palisade_vulndb::store::builder::{FeedMeta, StoreBuilder};

#[derive(Debug, clap::Args)]
pub struct VulndbArgs {
    /// Real OSV `all.zip` files whose records seed the database (repeatable).
    #[arg(long = "osv", required = true)]
    pub osv: Vec<PathBuf>,
    /// Advisories in the database, real ones included.
    #[arg(long, default_value_t = 500_000)]
    pub advisories: usize,
    /// Packages in the inventory matched against it.
    #[arg(long, default_value_t = 5_000)]
    pub packages: usize,
    /// Where to build the database (default: a temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Reuse the database already in --dir instead of building it (match figures only).
    #[arg(long, requires = "dir")]
    pub reuse: bool,
    /// Repetitions of the open and match measurements; the median is reported.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
}

pub fn vulndb(args: &VulndbArgs) -> anyhow::Result<ExitCode> {
    let mut real: Vec<Record> = Vec::new();
    for path in &args.osv {
        let file =
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        real.extend(
            palisade_vulndb::feed::osv_zip::read_all(std::io::BufReader::new(file))?.records,
        );
    }
    real.retain(|r| r.withdrawn.is_none() && r.affected.iter().any(|a| a.package.is_some()));
    anyhow::ensure!(!real.is_empty(), "no usable OSV records in the given files");
    let temp = tempfile::tempdir()?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());

    // Ingest: every record through the same builder `db update` uses, then indexes and commit.
    let started = Instant::now();
    if !args.reuse {
        let mut builder = StoreBuilder::begin(&dir)?;
        for i in 0..args.advisories {
            let record = generated(&real, i);
            builder.add_record("bench", &record)?;
        }
        let meta = FeedMeta {
            kind: "osv".into(),
            source: "generated".into(),
            ..FeedMeta::default()
        };
        builder.finish_feed("bench", &meta, args.advisories as u64, 0)?;
        builder.commit()?;
    }
    let ingest = started.elapsed().as_secs_f64();
    let size = std::fs::metadata(dir.join(palisade_vulndb::store::DB_FILE))?.len();

    // The inventory: a third real (name, version) pairs from the records, a third generated
    // names that exist in the database, a third names it has never heard of.
    let distinct = distinct_packages(&real);
    let packages: Vec<Package> = (0..args.packages)
        .map(|i| inventory_package(&distinct, i, args.advisories.div_ceil(real.len())))
        .collect();
    let mut inventory: Inventory = serde_json::from_value(serde_json::json!({
        "source": "bench", "artifact": {"name": "bench", "kind": "directory", "layers": []},
        "packages": []
    }))?;
    inventory.packages = packages;

    let runs = args.runs.max(1);
    let mut opens = Vec::new();
    let mut matches = Vec::new();
    let mut findings = 0;
    let cpu_before = cpu_seconds();
    for _ in 0..runs {
        let started = Instant::now();
        let store = palisade_vulndb::Store::open(&dir)?;
        opens.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        findings = palisade_vulndb::assess(&inventory, &store, &store)?.len();
        matches.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let cpu_per_run_ms = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| (after - before) * 1000.0 / runs as f64);
    opens.sort_by(f64::total_cmp);
    matches.sort_by(f64::total_cmp);
    let report = serde_json::json!({
        "advisories": args.advisories,
        "real_records": real.len(),
        "ingest_seconds": ingest,
        "ingest_records_per_second": (args.advisories as f64 / ingest).round(),
        "database_bytes": size,
        "open_ms_median": opens[opens.len() / 2],
        "packages_matched": args.packages,
        "findings": findings,
        "match_ms_median": matches[matches.len() / 2],
        "match_ms_all": matches,
        "open_and_match_cpu_ms_mean": cpu_per_run_ms,
        "peak_rss_mib": crate::bench::peak_rss_kib().unwrap_or(0) / 1024,
    });
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &report)?;
    writeln!(stdout)?;
    Ok(ExitCode::SUCCESS)
}

/// User plus system CPU time of this process so far (from /proc, 10 ms resolution): the
/// figure that does not depend on what else the machine is doing.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Record `i`: the real records first, then copies of them renamed per generation.
fn generated(real: &[Record], i: usize) -> Record {
    let mut record = real[i % real.len()].clone();
    let generation = i / real.len();
    if generation > 0 {
        record.id = format!("{}-G{generation}", record.id);
        for alias in &mut record.aliases {
            alias.push_str(&format!("-G{generation}"));
        }
        for affected in &mut record.affected {
            if let Some(package) = &mut affected.package {
                package.name = format!("{}-g{generation}", package.name);
            }
        }
    }
    record
}

/// One (ecosystem, name, version) per distinct package the real records name, the version
/// being the first bound of its first range (so about half of them are affected).
fn distinct_packages(real: &[Record]) -> Vec<(String, String, String)> {
    let mut seen = std::collections::BTreeMap::new();
    for record in real {
        for affected in &record.affected {
            let Some(p) = &affected.package else { continue };
            let version = affected
                .ranges
                .iter()
                .flat_map(|r| &r.events)
                .find_map(|e| e.fixed.clone().or_else(|| e.introduced.clone()))
                .filter(|v| v != "0")
                .unwrap_or_else(|| "1.0.0".into());
            seen.entry((p.ecosystem.clone(), p.name.clone()))
                .or_insert(version);
        }
    }
    seen.into_iter().map(|((e, n), v)| (e, n, v)).collect()
}

/// A third real packages, a third generated names the database holds, a third names it has
/// never heard of.
fn inventory_package(
    distinct: &[(String, String, String)],
    i: usize,
    generations: usize,
) -> Package {
    let (ecosystem, name, version) = &distinct[(i * 7919) % distinct.len()];
    let name = match i % 3 {
        0 => name.clone(),
        1 if generations > 1 => format!("{name}-g{}", 1 + i % (generations - 1)),
        _ => format!("not-in-the-database-{i}"),
    };
    let ecosystem = match ecosystem.as_str() {
        "Go" => Ecosystem::Go,
        "npm" => Ecosystem::Npm,
        _ => Ecosystem::PyPI,
    };
    Package::new(name, version.clone(), ecosystem, "bench")
}
