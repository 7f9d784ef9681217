//! Differential test of the semver scheme against npm's `semver` package (v7, installed with
//! npm into `target/` on first run): every generated pair is compared by both, in one node
//! process.

mod harness;

use std::process::Command;

use palisade_vulndb::version::semver;

const SCRIPT: &str = r#"
const semver = require('semver');
const lines = require('fs').readFileSync(0, 'utf8').split('\n');
const out = [];
for (const line of lines) {
  if (line === '') continue;
  const [a, b] = line.split('\t');
  try { out.push(String(semver.compare(a, b))); } catch (e) { out.push('E'); }
}
process.stdout.write(out.join('\n') + '\n');
"#;

fn oracle() -> Command {
    let dir = harness::tool_dir("npm-semver");
    if !dir.join("node_modules/semver/package.json").exists() {
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg("semver@7")
            .status()
            .expect("npm must be installed");
        assert!(status.success(), "npm install semver@7 failed");
    }
    std::fs::write(dir.join("compare.js"), SCRIPT).expect("write compare.js");
    let mut cmd = Command::new("node");
    cmd.arg(dir.join("compare.js")).current_dir(&dir);
    cmd
}

const NUMS: &[&str] = &[
    "0",
    "0",
    "1",
    "1",
    "2",
    "3",
    "10",
    "11",
    "99",
    "100",
    "01",
    "00",
    "123456789",
    "9007199254740991",
    "9007199254740992",
];
const IDS: &[&str] = &[
    "alpha",
    "beta",
    "rc",
    "0",
    "1",
    "2",
    "10",
    "11",
    "01",
    "a1",
    "1a",
    "-",
    "--",
    "A",
    "Alpha",
    "x-y",
    "0a",
    "20200101000000-abcdef123456",
    "20210101000000-abcdef123456",
    "9007199254740990",
    "9007199254740991",
    "9007199254740992",
    "9007199254740993",
    "18446744073709551616",
    "pre",
    "01",
    "",
    "a_b",
];
/// How many of `IDS` are valid (the rest are picked rarely).
const VALID_IDS: usize = IDS.len() - 3;
const BUILDS: &[&str] = &["build", "001", "sha.5114f85", "x-y", "0", "Z"];
const BAD_BUILDS: &[&str] = &["", "a+b", "a_b"];
const PREFIXES: &[&str] = &[
    "", "", "", "", "", "", "", "", "v", "v", "v", " ", "\u{a0}", "=", "V", "vv", "v ",
];

fn num(rng: &mut fastrand::Rng) -> String {
    if rng.u8(..10) == 0 {
        rng.u64(..100_000).to_string()
    } else {
        let end = if rng.u8(..20) == 0 { NUMS.len() } else { 8 };
        harness::pick(rng, &NUMS[..end]).to_owned()
    }
}

fn ids(rng: &mut fastrand::Rng, set: &[&str]) -> String {
    let n = 1 + rng.usize(..3);
    let valid = if set.len() == IDS.len() && rng.u8(..10) > 0 {
        VALID_IDS
    } else {
        set.len()
    };
    (0..n)
        .map(|_| harness::pick(rng, &set[..valid]))
        .collect::<Vec<_>>()
        .join(".")
}

fn gen(rng: &mut fastrand::Rng) -> String {
    let mut s = String::from(harness::pick(rng, PREFIXES));
    s.push_str(&format!("{}.{}.{}", num(rng), num(rng), num(rng)));
    if rng.u8(..50) == 0 {
        s.push_str(".0");
    }
    if rng.u8(..3) > 0 {
        s.push('-');
        s.push_str(&ids(rng, IDS));
    }
    if rng.u8(..4) == 0 {
        s.push('+');
        let set = if rng.u8(..20) == 0 {
            BAD_BUILDS
        } else {
            BUILDS
        };
        s.push_str(&ids(rng, set));
    }
    if rng.u8(..30) == 0 {
        s.push(' ');
    }
    s
}

fn mutate(rng: &mut fastrand::Rng, v: &str) -> String {
    match rng.u8(..6) {
        0 => match v.strip_prefix('v') {
            Some(rest) => rest.to_owned(),
            None => format!("v{v}"),
        },
        1 => match v.split_once('+') {
            Some((rest, _)) => rest.to_owned(),
            None => format!("{v}+{}", ids(rng, BUILDS)),
        },
        2 => format!("{v}.{}", harness::pick(rng, IDS)),
        3 => match v.rsplit_once('.') {
            Some((rest, _)) => format!("{rest}.{}", harness::pick(rng, IDS)),
            None => v.to_owned(),
        },
        4 => format!(" {v}\u{3000}"),
        _ => v.replacen(|c: char| c.is_ascii_digit(), &rng.u8(..10).to_string(), 1),
    }
}

#[test]
fn semver_agrees_with_npm() {
    let seed = harness::seed("differential_semver");
    let mut rng = fastrand::Rng::with_seed(seed);
    let pairs = harness::pairs(&mut rng, harness::pair_count(), gen, mutate);
    let oracle = harness::run_oracle(oracle(), &pairs);
    harness::check("semver", seed, &pairs, &oracle, semver::compare);
}
