//! `palisade sensor bench`: the node rules' speed on one core, without a kernel.
//!
//! Two figures over the same mix of records (execs of ordinary programs in a container, opens,
//! connects, accepts, exits, and a few of the rarer kinds — chmod, unlink, rename, mount,
//! namespace changes — some of which raise alerts):
//! - `rule_evaluation`: the compiled rules alone over prepared records (fields extracted per
//!   rule, as in production, but no decoding or process bookkeeping): the issue's "rule
//!   evaluation alone" figure;
//! - `pipeline`: what the sensor does per ring-buffer record: decode, process table,
//!   attribution, container lookup, rules, alerts.
//! - `attack_pipeline` (with `--attack-share P`): the same path, plus de-duplication and the
//!   JSON line of every admitted alert as the sensor's sink writes it, over a mix where P% of
//!   the records raise alerts (an attack storm: sensitive reads, shells, drops in /tmp from
//!   many processes); the share that really alerted is measured and reported.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use palisade_sensor::builtin::builtin_ruleset;
use palisade_sensor::decode::encode;
use palisade_sensor::dedup::Dedup;
use palisade_sensor::{
    decode, ContainerInfo, Detector, Kind, NodeEvent, NodeFields, NodeRecord, ProcessTable,
};

const CONTAINER: &str = "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592";

fn event(kind: Kind, comm: &str, pid: u32) -> NodeEvent {
    NodeEvent {
        kind,
        pid,
        tid: pid,
        ppid: 1,
        uid: 1000,
        gid: 1000,
        ts_ns: 1,
        cgroup_id: 1,
        comm: comm.into(),
        pcomm: "containerd-shim".into(),
        cgroups: vec![CONTAINER.into(), "docker".into(), String::new()],
        ..Default::default()
    }
}

/// The record mix, as a busy node produces it (about 100 records).
pub fn bench_events() -> Vec<NodeEvent> {
    let localhost = std::net::IpAddr::from(std::net::Ipv4Addr::LOCALHOST);
    let mut out = Vec::new();
    let programs = [
        "python3", "node", "java", "nginx", "ls", "cat", "sh", "curl", "git", "make",
    ];
    for (i, prog) in programs.iter().enumerate() {
        let pid = 1000 + i as u32;
        let mut e = event(Kind::Exec, prog, pid);
        e.path = Some(format!("/usr/bin/{prog}"));
        e.args = vec![
            prog.to_string(),
            "--flag".into(),
            "/srv/app/file.txt".into(),
        ];
        e.cwd = Some("/srv/app".into());
        out.push(e);
        let mut o = event(Kind::Open, prog, pid);
        o.path = Some(if i == 5 { "/etc/shadow" } else { "/etc/hosts" }.into());
        out.push(o);
        for port in [443, 5432, 6379, 8080, 53] {
            let mut c = event(Kind::Connect, prog, pid);
            c.addr = Some(localhost);
            c.a0 = 2;
            c.a1 = port;
            out.push(c);
        }
        let mut a = event(Kind::Accept, prog, pid);
        a.addr = Some(localhost);
        a.a1 = 40_000 + i as i64;
        a.laddr = Some(localhost);
        a.a2 = 8080;
        out.push(a);
        out.push(event(Kind::Exit, prog, pid));
    }
    // The rarer kinds, once each per round: a package install's chmod and rename, a log
    // rotation's unlink, a runtime's mount and namespace change (the alerting ones among them
    // are the `chmod +x` in /tmp and the unshare).
    let mut chmod = event(Kind::Chmod, "chmod", 2000);
    chmod.path = Some("/tmp/tool".into());
    chmod.a0 = 0o755;
    chmod.a1 = 90;
    out.push(chmod);
    let mut rename = event(Kind::Rename, "dpkg", 2001);
    rename.path = Some("/usr/bin/tool.dpkg-new".into());
    rename.path2 = Some("/usr/bin/tool".into());
    rename.a1 = 316;
    out.push(rename);
    let mut unlink = event(Kind::Unlink, "logrotate", 2002);
    unlink.path = Some("/var/log/app.log.9".into());
    unlink.a1 = 263;
    out.push(unlink);
    let mut mount = event(Kind::Mount, "mount", 2003);
    mount.path = Some("tmpfs".into());
    mount.path2 = Some("/run/app".into());
    mount.fstype = Some("tmpfs".into());
    out.push(mount);
    let mut ns = event(Kind::Namespace, "unshare", 2004);
    ns.a0 = 0x2000_0000;
    ns.a1 = 272;
    out.push(ns);
    out
}

/// Records that raise alerts under the built-in rules, from `n` processes (distinct
/// processes and paths, so de-duplication groups them as a storm would: many groups, repeats).
fn attack_events(n: u32) -> Vec<NodeEvent> {
    let mut out = Vec::new();
    for i in 0..n {
        let pid = 5000 + i;
        let mut read = event(Kind::Open, "cat", pid);
        read.path = Some("/etc/shadow".into());
        out.push(read);
        let mut chmod = event(Kind::Chmod, "chmod", pid);
        chmod.path = Some(format!("/tmp/payload-{i}"));
        chmod.a0 = 0o755;
        chmod.a1 = 90;
        out.push(chmod);
        let mut ns = event(Kind::Namespace, "unshare", pid);
        ns.a0 = 0x2000_0000;
        ns.a1 = 272;
        out.push(ns);
    }
    out
}

/// `share` percent of `len` records from `attack`, the rest from `ordinary`, interleaved.
fn attack_mix(
    ordinary: &[NodeEvent],
    attack: &[NodeEvent],
    share: u8,
    len: usize,
) -> Vec<NodeEvent> {
    let share = usize::from(share.min(100));
    // Evenly spread: record i is an attack one when the running count of attack records
    // (i * share / 100) steps up at it.
    (0..len)
        .map(|i| {
            if (i + 1) * share / 100 > i * share / 100 {
                attack[i % attack.len()].clone()
            } else {
                ordinary[i % ordinary.len()].clone()
            }
        })
        .collect()
}

fn container() -> ContainerInfo {
    ContainerInfo {
        id: CONTAINER.into(),
        name: Some("web".into()),
        image: Some("registry.example.com/web:1.4".into()),
        image_repository: Some("registry.example.com/web".into()),
        image_tag: Some("1.4".into()),
        ..Default::default()
    }
}

pub fn bench(events: usize, attack_share: Option<u8>) -> anyhow::Result<ExitCode> {
    let (engine, diags) = builtin_ruleset().compile(&NodeFields);
    anyhow::ensure!(diags.is_empty(), "built-in rules: {diags:?}");
    let mix = bench_events();
    let info = container();

    // Rule evaluation alone: records prepared once, with their process context.
    let mut procs = ProcessTable::new(crate::sensor_cmd::MAX_PROCESSES, false);
    for e in &mix {
        procs.observe(e);
    }
    let attributions: Vec<_> = mix.iter().map(|e| procs.attribution(e)).collect();
    let ancestors: Vec<Vec<&str>> = mix.iter().map(|e| procs.ancestors(e)).collect();
    let records: Vec<NodeRecord<'_>> = mix
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let proc = procs.get(e.pid);
            let (exe, args, cwd): (Option<&str>, &[String], Option<&str>) = match e.kind {
                Kind::Exec => (e.path.as_deref(), &e.args, e.cwd.as_deref()),
                _ => proc.map_or((None, &[][..], None), |p| {
                    (p.exe.as_deref(), &p.args[..], p.cwd.as_deref())
                }),
            };
            NodeRecord {
                event: e,
                exe,
                args,
                cwd,
                ancestors: &ancestors[i],
                lineage: &[],
                num: i as u64 + 1,
                attribution: &attributions[i],
                container: Some(&info),
            }
        })
        .collect();
    let mut hits = Vec::new();
    let mut rule_hits = 0usize;
    let start = Instant::now();
    for i in 0..events {
        hits.clear();
        engine.evaluate(&records[i % records.len()], &mut hits);
        rule_hits += hits.len();
    }
    let evaluation_secs = start.elapsed().as_secs_f64();
    let rules = engine.enabled_count();

    // The whole per-record path.
    let encoded: Vec<Vec<u8>> = mix.iter().map(encode).collect();
    let mut detector = Detector::new(
        builtin_ruleset().compile(&NodeFields).0,
        ProcessTable::new(crate::sensor_cmd::MAX_PROCESSES, false),
        HashMap::from([(CONTAINER.to_owned(), info.clone())]),
        None,
    );
    let mut alerts = Vec::new();
    let mut total_alerts = 0usize;
    let start = Instant::now();
    for i in 0..events {
        let ev = decode(&encoded[i % encoded.len()])?;
        alerts.clear();
        detector.process(&ev, &mut alerts);
        total_alerts += alerts.len();
    }
    let pipeline_secs = start.elapsed().as_secs_f64();

    let attack = match attack_share {
        Some(share) => Some(attack_pipeline(events, share, &mix, &info)?),
        None => None,
    };

    let report = serde_json::json!({
        "events": events,
        "rules": rules,
        "rule_evaluation": {
            "seconds": evaluation_secs,
            "events_per_second": (events as f64 / evaluation_secs).round(),
            "rule_hits": rule_hits,
        },
        "pipeline": {
            "seconds": pipeline_secs,
            "events_per_second": (events as f64 / pipeline_secs).round(),
            "alerts": total_alerts,
        },
        "attack_pipeline": attack,
    });
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &report)?;
    writeln!(stdout)?;
    Ok(ExitCode::SUCCESS)
}

/// The sensor's whole per-record path over an attack-heavy mix: decode, detector, de-duplication
/// (a 10 s window, as `sensor run` defaults to), and the admitted alerts' JSON lines.
fn attack_pipeline(
    events: usize,
    share: u8,
    ordinary: &[NodeEvent],
    info: &ContainerInfo,
) -> anyhow::Result<serde_json::Value> {
    let mix = attack_mix(ordinary, &attack_events(50), share, 1000);
    let encoded: Vec<Vec<u8>> = mix.iter().map(encode).collect();
    let mut detector = Detector::new(
        builtin_ruleset().compile(&NodeFields).0,
        ProcessTable::new(crate::sensor_cmd::MAX_PROCESSES, false),
        HashMap::from([(CONTAINER.to_owned(), info.clone())]),
        None,
    );
    let mut dedup = Dedup::new(
        std::time::Duration::from_secs(10),
        crate::sensor_cmd::MAX_DEDUP_GROUPS,
    );
    let mut sink = std::io::sink();
    let mut alerts = Vec::new();
    let (mut alerting_records, mut raised, mut written) = (0usize, 0usize, 0usize);
    let start = Instant::now();
    for i in 0..events {
        let ev = decode(&encoded[i % encoded.len()])?;
        alerts.clear();
        detector.process(&ev, &mut alerts);
        alerting_records += usize::from(!alerts.is_empty());
        raised += alerts.len();
        let now = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        for mut a in alerts.drain(..) {
            if dedup.admit(&mut a, now) {
                serde_json::to_writer(&mut sink, &a)?;
                sink.write_all(b"\n")?;
                written += 1;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    Ok(serde_json::json!({
        "seconds": secs,
        "events_per_second": (events as f64 / secs).round(),
        "requested_attack_share_percent": share,
        "alerting_record_share_percent": (alerting_records as f64 * 100.0 / events as f64).round(),
        "alerts_raised": raised,
        "alerts_written_after_dedup": written,
    }))
}
