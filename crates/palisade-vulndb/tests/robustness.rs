//! Every scheme of this crate's new parsers must answer any input, however hostile, with a
//! value or a `VersionError`: no panic, and inputs over 256 bytes are rejected early.

mod harness;

use std::cmp::Ordering;

use palisade_vulndb::version::{composer, maven, nuget, rubygems, semver, VersionError};

type Compare = fn(&str, &str) -> Result<Ordering, VersionError>;

const SCHEMES: &[(&str, Compare)] = &[
    ("semver", semver::compare),
    ("maven", maven::compare),
    ("rubygems", rubygems::compare),
    ("composer", composer::compare),
    ("nuget", nuget::compare),
];

const PIECES: &[&str] = &[
    "0",
    "1",
    "9",
    "01",
    "2147483648",
    "99999999999999999999",
    ".",
    "..",
    "-",
    "+",
    "_",
    ":",
    "@",
    "#",
    " ",
    "\t",
    "\u{a0}",
    "\u{feff}",
    "v",
    "V",
    "dev-",
    "dev",
    "alpha",
    "a",
    "RC",
    "x",
    "*",
    "é",
    "١",
    "𝟙",
    "as",
    "stable",
    "\0",
    "ß",
    "İ",
    "K",
];

fn random_input(rng: &mut fastrand::Rng) -> String {
    let n = rng.usize(..24);
    (0..n).map(|_| harness::pick(rng, PIECES)).collect()
}

#[test]
fn no_scheme_panics_on_random_input() {
    let seed = harness::seed("robustness");
    let mut rng = fastrand::Rng::with_seed(seed);
    for _ in 0..20_000 {
        let a = random_input(&mut rng);
        let b = random_input(&mut rng);
        for (name, compare) in SCHEMES {
            let result = std::panic::catch_unwind(|| compare(&a, &b));
            assert!(
                result.is_ok(),
                "{name} panicked on ({a:?}, {b:?}), seed {seed}"
            );
        }
    }
}

#[test]
fn long_inputs_are_rejected() {
    let long = format!("1.{}", "0.".repeat(10_000));
    let deep = "1-".repeat(5_000);
    for (name, compare) in SCHEMES {
        assert!(
            compare(&long, "1.0.0").is_err(),
            "{name} accepted a 20 kB version"
        );
        assert!(
            compare("1.0.0", &deep).is_err(),
            "{name} accepted a 10 kB version"
        );
    }
}
