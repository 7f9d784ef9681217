//! Robustness of the deb, rpm, apk and pep440 schemes on hostile input: random strings built from
//! the characters each parser cares about (plus control, non-ASCII and huge numbers) never panic,
//! and over-long input is rejected. A cheap stand-in for a fuzz run on every `cargo test`.

mod common;

use std::cmp::Ordering;

use common::{Rng, PAIRS};
use palisade_vulndb::version::{apk, deb, pep440, rpm, VersionError};

type Compare = fn(&str, &str) -> Result<Ordering, VersionError>;

const SCHEMES: [(&str, Compare); 4] = [
    ("deb", deb::compare),
    ("rpm", rpm::compare),
    ("apk", apk::compare),
    ("pep440", pep440::compare),
];

fn garbage(rng: &mut Rng) -> String {
    const PIECES: [&str; 24] = [
        "0",
        "1",
        "9",
        "00",
        ".",
        "-",
        "-r",
        ":",
        "~",
        "^",
        "+",
        "_",
        "!",
        "a",
        "z",
        "rc",
        "post",
        "dev",
        "_p",
        "_alpha",
        " ",
        "\u{e9}",
        "\0",
        "18446744073709551616",
    ];
    let mut s = String::new();
    for _ in 0..rng.below(12) {
        s.push_str(rng.pick(&PIECES));
    }
    s
}

#[test]
fn hostile_input_never_panics() {
    let seed = common::seed("garbage_os_schemes");
    let mut rng = Rng::new(seed);
    for _ in 0..PAIRS {
        let (a, b) = (garbage(&mut rng), garbage(&mut rng));
        for (name, compare) in SCHEMES {
            // Whatever the verdict, the order must be antisymmetric when both parse.
            if let (Ok(ab), Ok(ba)) = (compare(&a, &b), compare(&b, &a)) {
                assert_eq!(ab, ba.reverse(), "seed {seed}: {name}: {a:?} vs {b:?}");
            }
        }
    }
}

#[test]
fn long_input_is_rejected() {
    for (name, compare) in SCHEMES {
        let long = format!("1{}", ".1".repeat(200));
        let err = compare(&long, "1").expect_err(name);
        assert_eq!(err.scheme, name);
        assert!(compare("1", &"9".repeat(10_000)).is_err(), "{name}");
    }
}
