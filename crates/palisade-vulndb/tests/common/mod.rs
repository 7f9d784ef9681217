//! Shared helpers for the differential tests: a small seeded RNG (SplitMix64) and the seed
//! handling (`PALISADE_DIFF_SEED` replays a failing run).

#![allow(dead_code, clippy::print_stderr)]

use std::io::Write;
use std::process::{Command, Stdio};

/// Pairs generated per scheme.
pub const PAIRS: usize = 10_000;

/// The seed: `PALISADE_DIFF_SEED` when set, else derived from the clock. Logged to stderr.
pub fn seed(test: &str) -> u64 {
    let seed = match std::env::var("PALISADE_DIFF_SEED") {
        Ok(s) => s.trim().parse().expect("PALISADE_DIFF_SEED must be a u64"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x5EED),
    };
    eprintln!("{test}: seed {seed} (replay with PALISADE_DIFF_SEED={seed})");
    seed
}

/// SplitMix64: tiny, deterministic, good enough to generate test input.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `num/den`.
    pub fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// A decimal number, biased to small values and leading zeros.
    pub fn number(&mut self) -> String {
        let n = match self.below(10) {
            0..=5 => self.below(4).to_string(),
            6..=7 => self.below(30).to_string(),
            8 => self.below(100_000).to_string(),
            _ => format!("{}{}", self.below(10), self.next_u64()),
        };
        if self.chance(1, 8) {
            format!("0{n}")
        } else {
            n
        }
    }
}

/// Runs `cmd` with `input` on stdin and returns its stdout lines; panics with stderr on failure.
pub fn run_filter(cmd: &mut Command, input: &str) -> Vec<String> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer thread");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8 output")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `<`, `=` or `>` as the tools print them.
pub fn sign(o: std::cmp::Ordering) -> &'static str {
    match o {
        std::cmp::Ordering::Less => "<",
        std::cmp::Ordering::Equal => "=",
        std::cmp::Ordering::Greater => ">",
    }
}

/// Checks our comparison against the tool's answer for every pair: `<`, `=`, `>`, or `!` when
/// the tool rejects the pair (then we must reject it too). Fails on the first disagreement,
/// naming the seed. Returns how many pairs compared equal and how many both sides rejected.
pub fn check_answers(
    tool: &str,
    seed: u64,
    pairs: &[(String, String)],
    answers: &[String],
    compare: impl Fn(&str, &str) -> Result<std::cmp::Ordering, palisade_vulndb::version::VersionError>,
) -> (usize, usize) {
    assert_eq!(
        answers.len(),
        pairs.len(),
        "{tool} answered fewer lines than pairs"
    );
    let (mut equal, mut rejected) = (0, 0);
    for ((a, b), want) in pairs.iter().zip(answers) {
        if want == "!" {
            assert!(
                compare(a, b).is_err(),
                "seed {seed}: {tool} rejects {a:?} / {b:?}, we accept them"
            );
            rejected += 1;
            continue;
        }
        let ours =
            compare(a, b).unwrap_or_else(|e| panic!("seed {seed}: we reject {a:?} / {b:?}: {e}"));
        assert_eq!(
            sign(ours),
            want,
            "seed {seed}: {a:?} vs {b:?}: we say {}, {tool} says {want}",
            sign(ours)
        );
        equal += usize::from(want == "=");
    }
    (equal, rejected)
}
