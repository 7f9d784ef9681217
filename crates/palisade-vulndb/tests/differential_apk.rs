//! Alpine versions have no tool on Debian, so instead of a differential run against `apk` this
//! checks (1) vectors that follow from apk's version rules, (2) order properties
//! (reflexivity, antisymmetry, transitivity, consistent equality) over 10,000 random pairs and a
//! sorted random sample, and (3) that every `secfixes` version of the real Alpine secdb parses.
//! Replay a failure with `PALISADE_DIFF_SEED`.

#![allow(clippy::print_stderr)]

mod common;

use std::cmp::Ordering;
use std::path::Path;

use common::{Rng, PAIRS};
use palisade_vulndb::version::apk;

/// Orderings that follow from apk's documented version rules, written for this project:
/// numeric components, a single trailing letter, suffixes (`_alpha` < `_beta` < `_pre` < `_rc`
/// < release < `_cvs` < `_svn` < `_git` < `_hg` < `_p`) and `-rN` package revisions.
#[test]
fn apk_rule_vectors() {
    use Ordering::*;
    let cases = [
        ("1.0", "1.0", Equal),
        ("1.0", "1.1", Less),
        ("1.10", "1.9", Greater),
        ("1.0", "1.0.1", Less),
        ("1.0a", "1.0", Greater),
        ("1.0a", "1.0b", Less),
        ("1.0_alpha", "1.0_beta", Less),
        ("1.0_beta", "1.0_pre", Less),
        ("1.0_pre", "1.0_rc", Less),
        ("1.0_rc", "1.0", Less),
        ("1.0", "1.0_cvs", Less),
        ("1.0_cvs", "1.0_svn", Less),
        ("1.0_svn", "1.0_git", Less),
        ("1.0_git", "1.0_hg", Less),
        ("1.0_hg", "1.0_p", Less),
        ("1.0_rc1", "1.0_rc2", Less),
        ("1.0_p1", "1.0_p2", Less),
        ("1.0_alpha2", "1.0_beta1", Less),
        ("1.0-r0", "1.0-r1", Less),
        ("1.0-r10", "1.0-r9", Greater),
        ("1.0_rc1-r5", "1.0-r0", Less),
        ("2.4.52-r0", "2.4.53-r0", Less),
        ("1.1.1k-r0", "1.1.1l-r0", Less),
        ("3.0.7-r0", "3.0.10-r0", Less),
        ("8.5.0-r0", "8.4.0-r5", Greater),
    ];
    for (a, b, want) in cases {
        assert_eq!(apk::compare(a, b).unwrap(), want, "{a} vs {b}");
        assert_eq!(apk::compare(b, a).unwrap(), want.reverse(), "{b} vs {a}");
    }
    for valid in ["1.0", "1.0a", "1.0_rc1", "1.0_p20200101-r3", "2.36.1-r0"] {
        assert!(apk::validate(valid), "{valid}");
    }
    for invalid in ["", "a1.0", "1.0-", "1.0_", "1.0-rX"] {
        assert!(!apk::validate(invalid), "{invalid:?}");
    }
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
    let dirs = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("alpine secdb (../shared/data) at {}: {e}", root.display()));
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
