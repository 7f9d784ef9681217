//! Differential test: our RPM ordering against `rpm.labelCompare` (Debian's python3-rpm, run by
//! `/usr/bin/python3`) on random pairs. Replay a failure with `PALISADE_DIFF_SEED`.

#![allow(clippy::print_stderr)]

mod common;

use std::process::Command;

use common::{run_filter, sign, Rng, PAIRS};
use palisade_vulndb::version::rpm;

const PYTHON: &str = "/usr/bin/python3";

/// Reads `e v r e v r` (tab-separated, empty = absent) per line, prints `<`, `=` or `>`.
const SCRIPT: &str = r#"
import sys, rpm
out = []
for line in sys.stdin:
    f = [x if x else None for x in line.rstrip("\n").split("\t")]
    r = rpm.labelCompare((f[0], f[1], f[2]), (f[3], f[4], f[5]))
    out.append("<" if r < 0 else ("=" if r == 0 else ">"))
sys.stdout.write("\n".join(out) + "\n")
"#;

/// One field: segments of digits and letters with separators, `~` and `^` in between.
fn field(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.chance(1, 20) {
        s.push_str(rng.pick(&["~", "^", "_", "."]));
    }
    s.push_str(&if rng.chance(4, 5) {
        rng.number()
    } else {
        rng.pick(&["a", "rc", "Z"]).to_owned()
    });
    for _ in 0..rng.below(5) {
        let sep = rng.pick(&[
            ".", ".", ".", "_", "+", "~", "^", "~~", "^^", ".~", "~^", "", "", "%", "..",
        ]);
        s.push_str(sep);
        if rng.chance(2, 3) {
            s.push_str(&rng.number());
        } else {
            s.push_str(rng.pick(&["a", "b", "rc", "git", "el", "fc", "p", "Z", "beta", "aa"]));
        }
    }
    if rng.chance(1, 10) {
        s.push_str(rng.pick(&["~", "^", ".", "~rc1", "^git1"]));
    }
    s
}

type Evr = (Option<String>, String, Option<String>);

fn evr(rng: &mut Rng) -> Evr {
    let e = rng
        .chance(1, 4)
        .then(|| rng.number().chars().take(3).collect::<String>());
    let v = field(rng);
    let r = rng.chance(2, 3).then(|| field(rng));
    (e, v, r)
}

/// A version often equal to `x` but written differently, or only slightly different.
fn variant(rng: &mut Rng, x: &Evr) -> Evr {
    let (e, v, r) = x.clone();
    match rng.below(6) {
        0 => (Some(e.map_or("0".to_owned(), |e| format!("0{e}"))), v, r),
        1 => (e, v.replacen('.', "_", 1), r),
        2 => (e, v.replacen('.', ".0", 1), r),
        3 => (
            e,
            format!("{v}{}", rng.pick(&["~", "^", "a", ".0", "^1", "."])),
            r,
        ),
        4 => (e, v, if r.is_some() { None } else { Some(field(rng)) }),
        _ => (
            e,
            v,
            r.map(|r| format!("{r}{}", rng.pick(&["~", "^", ".1", "a"]))),
        ),
    }
}

fn label((e, v, r): &Evr) -> String {
    let mut s = String::new();
    if let Some(e) = e {
        s.push_str(e);
        s.push(':');
    }
    s.push_str(v);
    if let Some(r) = r {
        s.push('-');
        s.push_str(r);
    }
    s
}

#[test]
fn matches_rpm_label_compare() {
    let probe = Command::new(PYTHON).args(["-c", "import rpm"]).output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "{PYTHON} cannot import rpm: this test needs Debian's python3-rpm (apt-get install python3-rpm)"
    );
    let seed = common::seed("differential_rpm");
    let mut rng = Rng::new(seed);
    let mut pairs = Vec::with_capacity(PAIRS);
    while pairs.len() < PAIRS {
        let a = evr(&mut rng);
        let b = if rng.chance(1, 2) {
            variant(&mut rng, &a)
        } else {
            evr(&mut rng)
        };
        pairs.push((a, b));
    }
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let input: String = pairs
        .iter()
        .map(|((e1, v1, r1), (e2, v2, r2))| {
            format!(
                "{}\t{v1}\t{}\t{}\t{v2}\t{}\n",
                opt(e1),
                opt(r1),
                opt(e2),
                opt(r2)
            )
        })
        .collect();
    let started = std::time::Instant::now();
    let answers = run_filter(Command::new(PYTHON).args(["-c", SCRIPT]), &input);
    assert_eq!(
        answers.len(),
        pairs.len(),
        "python answered fewer lines than pairs"
    );
    let equal = answers.iter().filter(|w| *w == "=").count();
    for ((a, b), want) in pairs.iter().zip(&answers) {
        let (a, b) = (label(a), label(b));
        let ours = rpm::compare(&a, &b)
            .unwrap_or_else(|e| panic!("seed {seed}: we reject {a:?} / {b:?}: {e}"));
        assert_eq!(
            sign(ours),
            want,
            "seed {seed}: {a} vs {b}: we say {}, rpm.labelCompare says {want}",
            sign(ours)
        );
    }
    eprintln!(
        "differential_rpm: {} pairs agree with rpm.labelCompare ({equal} equal) in {:.1?}",
        pairs.len(),
        started.elapsed()
    );
}
