//! Differential test: our PEP 440 ordering against Python `packaging.version.Version` (Debian's
//! python3-packaging, run by `/usr/bin/python3`) on random pairs written in many spellings.
//! Replay a failure with `PALISADE_DIFF_SEED`.

#![allow(clippy::print_stderr)]

mod common;

use std::process::Command;

use common::{run_filter, Rng, PAIRS};
use palisade_vulndb::version::pep440;

const PYTHON: &str = "/usr/bin/python3";

/// Reads `a<TAB>b` per line, prints `<`, `=`, `>`, or `!` when either is invalid.
const SCRIPT: &str = r#"
import sys
from packaging.version import Version, InvalidVersion
out = []
for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    try:
        va, vb = Version(a), Version(b)
    except InvalidVersion:
        out.append("!")
        continue
    out.append("<" if va < vb else ("=" if va == vb else ">"))
sys.stdout.write("\n".join(out) + "\n")
"#;

/// A number that fits in 64 bits (see the module doc of `pep440`), often with leading zeros.
fn num(rng: &mut Rng) -> String {
    rng.number().chars().take(18).collect()
}

fn version(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.chance(1, 20) {
        s.push(' ');
    }
    if rng.chance(1, 10) {
        s.push_str(rng.pick(&["v", "V"]));
    }
    if rng.chance(1, 6) {
        s.push_str(&num(rng).chars().take(2).collect::<String>());
        s.push('!');
    }
    s.push_str(&num(rng));
    for _ in 0..rng.below(4) {
        s.push('.');
        s.push_str(&num(rng));
    }
    if rng.chance(1, 2) {
        s.push_str(rng.pick(&["", "", ".", "-", "_"]));
        s.push_str(rng.pick(&[
            "a", "a", "b", "b", "rc", "rc", "c", "alpha", "beta", "pre", "preview", "A", "RC",
            "Alpha",
        ]));
        if rng.chance(4, 5) {
            s.push_str(rng.pick(&["", "", ".", "-", "_"]));
            s.push_str(&num(rng));
        }
    }
    if rng.chance(1, 3) {
        if rng.chance(1, 5) {
            s.push('-');
            s.push_str(&num(rng));
        } else {
            s.push_str(rng.pick(&[
                ".post", "post", "-post", "_post", ".rev", "r", ".POST", "-r",
            ]));
            if rng.chance(4, 5) {
                s.push_str(rng.pick(&["", "", ".", "-", "_"]));
                s.push_str(&num(rng));
            }
        }
    }
    if rng.chance(1, 3) {
        s.push_str(rng.pick(&[".dev", "dev", "-dev", "_dev", ".DEV"]));
        if rng.chance(4, 5) {
            s.push_str(&num(rng));
        }
    }
    if rng.chance(1, 4) {
        s.push('+');
        for i in 0..=rng.below(3) {
            if i > 0 {
                s.push_str(rng.pick(&[".", ".", "-", "_"]));
            }
            s.push_str(&match rng.below(4) {
                0 | 1 => num(rng),
                2 => rng
                    .pick(&["abc", "ubuntu", "cpu", "cu118", "ABC", "g1234"])
                    .to_owned(),
                _ => format!("{}{}", rng.pick(&["a", "z", "Z"]), num(rng)),
            });
        }
    }
    if rng.chance(1, 20) {
        s.push('\n');
        s.pop();
        s.push(' ');
    }
    s
}

/// Often equal to `v` but written differently, or only slightly different.
fn variant(rng: &mut Rng, v: &str) -> String {
    match rng.below(7) {
        0 => v.to_uppercase(),
        1 => format!("{v}.0").replacen("+", ".0+", 1),
        2 => v.replacen('.', ".0", 1),
        3 => v
            .replace("rc", "c")
            .replace("alpha", "a")
            .replace("-r", ".post"),
        4 if !v.contains('+') => format!("{v}+{}", num(rng)),
        5 => v.split('+').next().unwrap_or(v).to_owned(),
        _ => format!("{}{v}", rng.pick(&["v", "0!", " "])),
    }
}

#[test]
fn matches_python_packaging() {
    let probe = Command::new(PYTHON)
        .args(["-c", "import packaging.version"])
        .output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "{PYTHON} cannot import packaging: this test needs Debian's python3-packaging \
         (apt-get install python3-packaging)"
    );
    let seed = common::seed("differential_pep440");
    let mut rng = Rng::new(seed);
    let mut pairs = Vec::with_capacity(PAIRS);
    while pairs.len() < PAIRS {
        let a = version(&mut rng);
        let b = if rng.chance(1, 2) {
            variant(&mut rng, &a)
        } else {
            version(&mut rng)
        };
        pairs.push((a, b));
    }
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    let started = std::time::Instant::now();
    let answers = run_filter(Command::new(PYTHON).args(["-c", SCRIPT]), &input);
    let (equal, rejected) =
        common::check_answers("packaging", seed, &pairs, &answers, pep440::compare);
    assert!(
        rejected < PAIRS / 10,
        "the generator makes too many invalid versions"
    );
    eprintln!(
        "differential_pep440: {} pairs agree with packaging ({equal} equal, {rejected} rejected \
         by both) in {:.1?}",
        pairs.len(),
        started.elapsed()
    );
}
