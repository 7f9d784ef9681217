//! Shared harness of the differential tests: a seeded generator, one oracle process fed every
//! pair on stdin, and the comparison that fails on the first disagreement.
//!
//! Protocol with the oracle: one `a<TAB>b` line per pair on stdin; one line per pair on stdout,
//! `-1`, `0` or `1` (the tool's comparison) or `E` (the tool rejects one of the two versions).
//! Replay a run with `PALISADE_DIFF_SEED=<seed>`; `PALISADE_DIFF_PAIRS` changes the pair count.

#![allow(dead_code)]
// The seed and the summary go to stderr: that is how a failing run is replayed.
#![allow(clippy::print_stderr)]

use std::cmp::Ordering;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use palisade_vulndb::version::VersionError;

/// The seed of this run: `PALISADE_DIFF_SEED` or a fresh one, logged to stderr.
pub fn seed(test: &str) -> u64 {
    let seed = match std::env::var("PALISADE_DIFF_SEED") {
        Ok(s) => s.trim().parse().expect("PALISADE_DIFF_SEED must be a u64"),
        Err(_) => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            nanos ^ u64::from(std::process::id()).rotate_left(32)
        }
    };
    eprintln!("{test}: seed {seed} (replay with PALISADE_DIFF_SEED={seed})");
    seed
}

/// How many pairs to generate (`PALISADE_DIFF_PAIRS`, default 10,000).
pub fn pair_count() -> usize {
    std::env::var("PALISADE_DIFF_PAIRS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(10_000)
}

/// A directory for the oracle's helper files, kept between runs (under `target/`).
pub fn tool_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("differential")
        .join(name);
    std::fs::create_dir_all(&dir).expect("create the oracle directory");
    dir
}

/// Runs `cmd` once with every pair on stdin and returns its answers, one per pair.
pub fn run_oracle(mut cmd: Command, pairs: &[(String, String)]) -> Vec<Option<Ordering>> {
    let mut input = String::new();
    for (a, b) in pairs {
        assert!(
            !a.contains(['\t', '\n', '\r']) && !b.contains(['\t', '\n', '\r']),
            "generated versions must not hold tabs or line breaks: {a:?} {b:?}"
        );
        input.push_str(a);
        input.push('\t');
        input.push_str(b);
        input.push('\n');
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the oracle {cmd:?}: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        stdin
            .write_all(input.as_bytes())
            .expect("write pairs to the oracle");
    });
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("read the oracle");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .ok();
    writer.join().expect("writer thread");
    let status = child.wait().expect("wait for the oracle");
    assert!(status.success(), "oracle {cmd:?} failed ({status}): {err}");
    let answers: Vec<Option<Ordering>> = out
        .lines()
        .map(|l| match l.trim() {
            "-1" => Some(Ordering::Less),
            "0" => Some(Ordering::Equal),
            "1" => Some(Ordering::Greater),
            "E" => None,
            other => panic!("unexpected oracle answer {other:?}; stderr: {err}"),
        })
        .collect();
    assert_eq!(
        answers.len(),
        pairs.len(),
        "oracle answered {} of {} pairs; stderr: {err}",
        answers.len(),
        pairs.len()
    );
    answers
}

/// Compares our answers with the oracle's and panics on the first disagreement.
pub fn check(
    scheme: &str,
    seed: u64,
    pairs: &[(String, String)],
    oracle: &[Option<Ordering>],
    ours: impl Fn(&str, &str) -> Result<Ordering, VersionError>,
) {
    let mut rejected = 0;
    for ((a, b), want) in pairs.iter().zip(oracle) {
        let got = ours(a, b);
        let agree = match (&got, want) {
            (Ok(g), Some(w)) => g == w,
            (Err(_), None) => true,
            _ => false,
        };
        assert!(
            agree,
            "{scheme}: disagreement on ({a:?}, {b:?}): ours {got:?}, the tool {want:?} \
             (seed {seed}, replay with PALISADE_DIFF_SEED={seed})"
        );
        if want.is_none() {
            rejected += 1;
        }
    }
    eprintln!(
        "{scheme}: {} pairs agree ({rejected} rejected by both)",
        pairs.len()
    );
}

/// Picks one of `items`.
pub fn pick<'a>(rng: &mut fastrand::Rng, items: &[&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}

/// Builds `n` pairs: half with a partner from a small pool of recent versions (many equal or
/// near-equal comparisons), half with a rewrite of the version itself by `mutate`.
pub fn pairs(
    rng: &mut fastrand::Rng,
    n: usize,
    mut gen: impl FnMut(&mut fastrand::Rng) -> String,
    mut mutate: impl FnMut(&mut fastrand::Rng, &str) -> String,
) -> Vec<(String, String)> {
    let mut pool: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let a = gen(rng);
        let b = match rng.u8(..4) {
            0 | 1 => mutate(rng, &a),
            2 if !pool.is_empty() => pool[rng.usize(..pool.len())].clone(),
            _ => gen(rng),
        };
        if pool.len() < 64 {
            pool.push(a.clone());
        } else {
            let i = rng.usize(..pool.len());
            pool[i] = a.clone();
        }
        if rng.bool() {
            out.push((a, b));
        } else {
            out.push((b, a));
        }
    }
    out
}
