//! Alpine versions have no tool on Debian, so instead of a differential run against `apk` this
//! checks (1) every vector of apk-tools' own `test/unit/version.data`, (2) order properties
//! (reflexivity, antisymmetry, transitivity, consistent equality) over 10,000 random pairs and a
//! sorted random sample, and (3) that every `secfixes` version of the real Alpine secdb parses.
//! Replay a failure with `PALISADE_DIFF_SEED`.

#![allow(clippy::print_stderr)]

mod common;

use std::cmp::Ordering;
use std::path::Path;

use common::{Rng, PAIRS};
use palisade_vulndb::version::apk;

#[test]
fn apk_tools_vectors() {
    let data = include_str!("fixtures/apk-version.data");
    let (mut checked, mut skipped) = (0, 0);
    for (n, raw) in data.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [a, op, b] => {
                let (negate, op) = match op.strip_prefix('!') {
                    Some(op) => (true, op),
                    None => (false, *op),
                };
                if op.contains('~') {
                    // Fuzzy matching (`~`, `<~`, `>~`) is apk's dependency operator, not ordering.
                    skipped += 1;
                    continue;
                }
                let got =
                    apk::compare(a, b).unwrap_or_else(|e| panic!("line {}: {raw}: {e}", n + 1));
                let sym = match got {
                    Ordering::Less => '<',
                    Ordering::Equal => '=',
                    Ordering::Greater => '>',
                };
                assert_eq!(
                    op.contains(sym),
                    !negate,
                    "line {}: {raw}: we say {sym}",
                    n + 1
                );
                checked += 1;
            }
            [v] => {
                let (want, v) = match v.strip_prefix('!') {
                    Some(v) => (false, v),
                    None => (true, *v),
                };
                assert_eq!(apk::validate(v), want, "line {}: {raw}", n + 1);
                checked += 1;
            }
            _ if line == "!" => {
                assert!(!apk::validate(""));
                checked += 1;
            }
            _ => panic!("line {}: cannot read {raw:?}", n + 1),
        }
    }
    assert!(checked > 700, "only {checked} vectors checked");
    eprintln!("apk vectors: {checked} checked, {skipped} fuzzy ones skipped");
}

/// A random version, mostly valid, sometimes with an invalid tail like those seen in secdb.
fn version(rng: &mut Rng) -> String {
    let mut s = rng.number();
    for _ in 0..rng.below(4) {
        s.push('.');
        s.push_str(&rng.number());
    }
    if rng.chance(1, 6) {
        s.push(char::from(rng.pick(b"abcz")));
    }
    for _ in 0..rng.below(3) {
        s.push('_');
        s.push_str(rng.pick(&["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"]));
        if rng.chance(2, 3) {
            s.push_str(&rng.number());
        }
    }
    if rng.chance(1, 8) {
        s.push('~');
        s.push_str(rng.pick(&["1234", "abcd", "0f", "1234abcd"]));
    }
    if rng.chance(1, 2) {
        s.push_str("-r");
        s.push_str(&rng.number());
    }
    if rng.chance(1, 12) {
        s.push_str(rng.pick(&[
            ".", "-1", "a1", ".r0", "_foo", "-r", "bc", "_", "~", "-r1-r2",
        ]));
    }
    s
}

fn variant(rng: &mut Rng, v: &str) -> String {
    match rng.below(5) {
        0 => v.replacen('.', ".0", 1),
        1 => format!("0{v}"),
        2 => v.split("-r").next().unwrap_or(v).to_owned(),
        3 => format!("{v}{}", rng.pick(&["-r0", "_p1", "_rc1", ".0", "a"])),
        _ => version(rng),
    }
}

fn cmp(a: &str, b: &str) -> Ordering {
    apk::compare(a, b).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn order_properties() {
    let seed = common::seed("differential_apk");
    let mut rng = Rng::new(seed);
    let started = std::time::Instant::now();
    let mut pool = Vec::new();
    for _ in 0..PAIRS {
        let a = version(&mut rng);
        let b = if rng.chance(1, 2) {
            variant(&mut rng, &a)
        } else {
            version(&mut rng)
        };
        let ab = cmp(&a, &b);
        assert_eq!(cmp(&a, &a), Ordering::Equal, "seed {seed}: {a} != itself");
        assert_eq!(
            cmp(&b, &a),
            ab.reverse(),
            "seed {seed}: {a} vs {b} not antisymmetric"
        );
        // Equal versions must order every third version the same way.
        if ab == Ordering::Equal {
            let c = version(&mut rng);
            assert_eq!(
                cmp(&a, &c),
                cmp(&b, &c),
                "seed {seed}: {a} = {b} but not vs {c}"
            );
        }
        if pool.len() < 500 {
            pool.push(a);
            pool.push(b);
        }
    }
    // Transitivity: an insertion sort by our order, then every pair must be in order.
    let mut sorted: Vec<String> = Vec::with_capacity(pool.len());
    for v in pool {
        let at = sorted.partition_point(|x| cmp(x, &v) != Ordering::Greater);
        sorted.insert(at, v);
    }
    for i in 0..sorted.len() {
        for j in i + 1..sorted.len() {
            assert_ne!(
                cmp(&sorted[i], &sorted[j]),
                Ordering::Greater,
                "seed {seed}: not transitive: {} sorted before {}",
                sorted[i],
                sorted[j]
            );
        }
    }
    eprintln!(
        "apk properties: {PAIRS} pairs and {} sorted versions in {:.1?}",
        sorted.len(),
        started.elapsed()
    );
}

/// Every `secfixes` key of the Alpine secdb (`shared/data/alpine-secdb/v3.*/*.yaml`) parses.
#[test]
fn alpine_secdb_versions_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/alpine-secdb");
    let Ok(dirs) = std::fs::read_dir(&root) else {
        eprintln!("alpine secdb not found at {}: skipped", root.display());
        return;
    };
    let (mut total, mut apk_invalid) = (0, Vec::new());
    for dir in dirs.flatten() {
        for file in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if file.path().extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(file.path()).expect("read secdb file");
            for line in text.lines() {
                // `secfixes:` maps are at indent 6, their version keys at indent 8.
                let Some(key) = line.strip_prefix("        ") else {
                    continue;
                };
                if key.starts_with([' ', '-']) {
                    continue;
                }
                let key = key
                    .trim_end()
                    .trim_end_matches(':')
                    .trim_matches(['"', '\'']);
                let v: apk::ApkVersion = key.parse().unwrap_or_else(|e| {
                    panic!("{}: {e}", file.path().display());
                });
                if !v.is_valid() {
                    apk_invalid.push(key.to_owned());
                }
                total += 1;
            }
        }
    }
    assert!(total > 1000, "only {total} secfixes versions found");
    apk_invalid.sort();
    apk_invalid.dedup();
    eprintln!(
        "alpine secdb: {total} secfixes versions parse; apk itself calls {} distinct ones invalid: {:?}",
        apk_invalid.len(),
        apk_invalid
    );
}
