//! Differential test: our Debian ordering against `dpkg --compare-versions` on random pairs.
//! Needs `dpkg` (any Debian or Ubuntu machine). Replay a failure with `PALISADE_DIFF_SEED`.

#![allow(clippy::print_stderr)]

mod common;

use std::process::Command;

use common::{run_filter, Rng, PAIRS};
use palisade_vulndb::version::deb;

/// One part (upstream or revision): alternating digit and non-digit runs.
fn part(rng: &mut Rng, upstream: bool, epoch: bool, revision: bool) -> String {
    let mut s = String::new();
    if !upstream || rng.chance(9, 10) {
        s.push_str(&rng.number());
    } else {
        s.push_str(rng.pick(&["a", "b", "Z"]));
    }
    for _ in 0..rng.below(5) {
        let mut seps = vec![
            ".", ".", "+", "~", "~~", "a", "b", "rc", "Z", "dfsg", "ubuntu", "+b",
        ];
        if upstream && epoch {
            seps.push(":");
        }
        if upstream && revision {
            seps.push("-");
        }
        s.push_str(rng.pick(&seps));
        if rng.chance(3, 4) {
            s.push_str(&rng.number());
        }
    }
    if rng.chance(1, 10) {
        s.push('~');
    }
    s
}

fn version(rng: &mut Rng) -> String {
    let epoch = rng.chance(1, 5);
    let revision = rng.chance(1, 2);
    let mut s = String::new();
    if epoch {
        // Mostly small epochs (leading zeros included), now and then one dpkg rejects.
        let e = if rng.chance(1, 50) {
            rng.number()
        } else {
            rng.number().chars().take(2).collect()
        };
        s.push_str(&e);
        s.push(':');
    }
    s.push_str(&part(rng, true, epoch, revision));
    if revision {
        s.push('-');
        s.push_str(&part(rng, false, false, false));
    }
    s
}

/// Rewrites `v` into a version that is often equal but written differently, or nearly equal.
fn variant(rng: &mut Rng, v: &str) -> String {
    match rng.below(6) {
        0 if !v.contains(':') => format!("0:{v}"),
        1 if !v.contains('-') && !v.contains(':') => format!("{v}-0"),
        2 => v.replacen('.', ".0", 1),
        3 => format!("{v}~"),
        4 => v.replacen('~', "", 1),
        _ => {
            let mut s = v.to_owned();
            s.push_str(rng.pick(&["a", ".0", "+", "0", "1"]));
            s
        }
    }
}

#[test]
fn matches_dpkg() {
    if Command::new("dpkg").arg("--version").output().is_err() {
        panic!("dpkg is not installed: this test needs it (apt-get install dpkg)");
    }
    let seed = common::seed("differential_deb");
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
    let started = std::time::Instant::now();
    let threads = 4;
    let chunk = PAIRS.div_ceil(threads);
    // Exit status 0 = true, 1 = false, 2 = a version dpkg rejects ("!").
    let script = r#"while read -r a b; do
        dpkg --compare-versions "$a" lt "$b" 2>/dev/null; r=$?
        if [ $r = 0 ]; then echo "<";
        elif [ $r != 1 ]; then echo "!";
        elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo "=";
        else echo ">"; fi
    done"#;
    let answers: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = pairs
            .chunks(chunk)
            .map(|c| {
                let input: String = c.iter().map(|(a, b)| format!("{a} {b}\n")).collect();
                scope.spawn(move || run_filter(Command::new("sh").args(["-c", script]), &input))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("dpkg thread"))
            .collect()
    });
    let (equal, rejected) = common::check_answers("dpkg", seed, &pairs, &answers, deb::compare);
    eprintln!(
        "differential_deb: {} pairs agree with dpkg ({equal} equal, {rejected} rejected by both) in {:.1?}",
        pairs.len(),
        started.elapsed()
    );
}
