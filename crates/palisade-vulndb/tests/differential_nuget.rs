//! The NuGet scheme has no tool to compare against here (no .NET), so this test uses NuGet's
//! own test vectors (NuGet.Client `test/NuGet.Core.Tests/NuGet.Versioning.Test`:
//! `VersionComparerTests`, `SemVer201SpecTests`, `VersionParsingTests`) and checks order
//! properties over at least 10,000 generated pairs: antisymmetry, rewrites that NuGet treats as
//! equal (label case, metadata, missing components, leading zeros, whitespace), and
//! transitivity (a sorted sample must be ordered pairwise).

mod harness;

use std::cmp::Ordering;

use palisade_vulndb::version::nuget::{self, Version};

fn cmp(a: &str, b: &str) -> Ordering {
    nuget::compare(a, b).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn nuget_test_suite_vectors() {
    // VersionComparerTests.VersionComparisonDefaultEqual and SemVerSortIgnoreReleaseCasing.
    for (a, b) in [
        ("1.0.0", "1.0.0"),
        ("1.0.0-BETA", "1.0.0-beta"),
        ("1.0.0-BETA+AA", "1.0.0-beta+aa"),
        ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.77.0+aa"),
        ("1.2.3-a", "1.2.3-A"),
        ("1.2.3-A-b2-C", "1.2.3-a-B2-c"),
        // VersionParsingTests.VersionLength
        ("2", "2.0.0"),
        ("2.0", "2.0.0"),
        ("2.0.0.0", "2.0.0"),
    ] {
        assert_eq!(cmp(a, b), Ordering::Equal, "{a} == {b}");
        assert_eq!(cmp(b, a), Ordering::Equal, "{b} == {a}");
    }
    // VersionComparerTests.VersionComparisonDefaultLess and the SemVer201SpecTests sorts.
    for (lower, higher) in [
        ("0.0.0", "1.0.0"),
        ("1.0.0", "1.1.0"),
        ("1.0.0", "1.0.1"),
        ("1.999.9999", "2.1.1"),
        ("1.0.0-BETA", "1.0.0-beta2"),
        ("1.0.0-beta+AA", "1.0.0+aa"),
        ("1.0.0-BETA", "1.0.0-beta.1+AA"),
        ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.79.0+aa"),
        ("1.0.0-BETA.X.y.5.79.0+AA", "1.0.0-beta.x.y.5.790.0+abc"),
        ("1.2.3", "1.2.4"),
        ("1.2.3", "2.0.0"),
        ("9.9.9", "10.1.1"),
        ("1.2.3-alpha", "1.2.3"),
        ("1.2.3-2", "1.2.3-3"),
        ("1.2.3-1.9", "1.2.3-1.50"),
        ("1.2.3-2A", "1.2.3-3A"),
        ("1.2.3-1.50A", "1.2.3-1.9A"),
        ("1.2.3-999999", "1.2.3-Z"),
        ("1.2.3-A.999999", "1.2.3-A.56-2"),
        ("1.2.3-a", "1.2.3-a.2"),
        ("1.2.3-a.2.3.4", "1.2.3-a.2.3.4.5"),
        ("1.0.0", "1.0.0.1"),
    ] {
        assert_eq!(cmp(lower, higher), Ordering::Less, "{lower} < {higher}");
        assert_eq!(cmp(higher, lower), Ordering::Greater, "{higher} > {lower}");
    }
    // SemVer201SpecTests: label and metadata validity (the same rules for NuGetVersion).
    for valid in [
        "0.1.2-Alpha",
        "0.1.2-Alpha.2.34.5.453.345.345.345.345.A.B.bbbbbbb.Csdfdfdf",
        "0.1.2-Alpha-2-5Bdd",
        "0.1.2--",
        "0.1.2--B-C-",
        "0.1.2--B2.-.C.-A0-",
        "0.1.2+NoReleaseLabel",
        "0.1.2-02A",
        "0.1.2-2.02B",
        "0.1.2-2.A.02-",
        "0.1.2-A02.A",
        "0.1.2+02A",
        "0.1.2+A",
        "0.1.2+20349244.233.344.0",
        "0.1.2+203-49244.23-3.34-4.0-.-.-",
        "0.1.2+AAaaaaAAAaaaa",
        "0.1.2+-",
        "0.1.2+----.-.-.-",
        "0.1.2----+----",
        "0.1.2+02.02-02",
        "0.1.2+02",
        "0.1.2+000000",
        "0.1.2+AA-02A",
        "0.1.2+A.-A-02A",
        // Valid for NuGetVersion though not for strict SemanticVersion.
        "1",
        "1.2",
        "1.2.3.4",
        "01.2.3",
        "1.2. 3",
        "1. 2.3",
    ] {
        assert!(valid.parse::<Version>().is_ok(), "{valid:?} must parse");
    }
    for invalid in [
        "0.1.2-Alpha..2",
        "0.1.2-Alpha.",
        "0.1.2-.AA",
        "0.1.2-",
        "0.1.2-alp=ha",
        "0.1.2-alp┐jj",
        "0.1.2-a&444",
        "0.1.2-a.&.444",
        "0.1.2-02",
        "0.1.2-2.02",
        "0.1.2-2.A.02",
        "0.1.2-02.A",
        "0.1.2+ÄÄ",
        "0.1.2+22.2ÄÄ",
        "0.1.2+2+A",
        "0.1.2+02A.",
        "0.1.2+02..A",
        "0.1.2+",
        "X.2.3",
        "1.2.Z",
        "X.Y.Z",
        "1.2.3.4.5",
    ] {
        assert!(
            invalid.parse::<Version>().is_err(),
            "{invalid:?} must be rejected"
        );
    }
}

const NUMBERS: &[&str] = &[
    "0",
    "0",
    "1",
    "1",
    "2",
    "3",
    "10",
    "11",
    "100",
    "2147483647",
];
const LABELS: &[&str] = &[
    "alpha",
    "Alpha",
    "ALPHA",
    "beta",
    "rc",
    "RC",
    "pre",
    "0",
    "1",
    "2",
    "10",
    "11",
    "2147483647",
    "2147483648",
    "-1",
    "-",
    "a-b",
    "A-b",
    "x",
    "X",
    "0a",
    "1a",
    "z9",
];
const METADATA: &[&str] = &["meta", "001", "sha.abc", "A-B", "0"];

fn gen(rng: &mut fastrand::Rng) -> String {
    let parts = 1 + rng.usize(..4);
    let mut s = (0..parts)
        .map(|_| harness::pick(rng, NUMBERS))
        .collect::<Vec<_>>()
        .join(".");
    if rng.u8(..3) > 0 {
        let n = 1 + rng.usize(..3);
        let labels: Vec<&str> = (0..n).map(|_| harness::pick(rng, LABELS)).collect();
        s.push('-');
        s.push_str(&labels.join("."));
    }
    if rng.u8(..4) == 0 {
        s.push('+');
        s.push_str(harness::pick(rng, METADATA));
    }
    s
}

/// A rewrite that NuGet must treat as equal to `v`.
fn equal_rewrite(rng: &mut fastrand::Rng, v: &str) -> String {
    let (main, meta) = match v.split_once('+') {
        Some((main, meta)) => (main, Some(meta)),
        None => (v, None),
    };
    let (numbers, labels) = match main.split_once('-') {
        Some((numbers, labels)) => (numbers.to_owned(), Some(labels.to_owned())),
        None => (main.to_owned(), None),
    };
    let mut numbers = numbers;
    let mut labels = labels;
    let mut meta = meta.map(str::to_owned);
    match rng.u8(..5) {
        0 => {
            if numbers.split('.').count() < 4 {
                numbers.push_str(".0");
            }
        }
        1 => {
            numbers = numbers
                .split('.')
                .map(|n| format!("00{n}"))
                .collect::<Vec<_>>()
                .join(".")
        }
        2 => {
            labels = labels.map(|l| {
                if rng.bool() {
                    l.to_uppercase()
                } else {
                    l.to_lowercase()
                }
            })
        }
        3 => meta = Some(harness::pick(rng, METADATA).to_owned()),
        _ => meta = None,
    }
    let mut out = numbers;
    if let Some(l) = labels {
        out.push('-');
        out.push_str(&l);
    }
    if let Some(m) = meta {
        out.push('+');
        out.push_str(&m);
    }
    if rng.u8(..8) == 0 {
        out = format!(" {out}\t");
    }
    out
}

#[test]
#[allow(clippy::print_stderr)]
fn nuget_order_properties() {
    let seed = harness::seed("differential_nuget");
    let mut rng = fastrand::Rng::with_seed(seed);
    let n = harness::pair_count();
    let pairs = harness::pairs(&mut rng, n, gen, |rng, v| {
        if rng.bool() {
            equal_rewrite(rng, v)
        } else {
            gen(rng)
        }
    });
    for (a, b) in &pairs {
        let (Ok(x), Ok(y)) = (a.parse::<Version>(), b.parse::<Version>()) else {
            panic!("generated versions must parse: {a:?} {b:?} (seed {seed})");
        };
        assert_eq!(
            x.cmp(&y),
            y.cmp(&x).reverse(),
            "antisymmetry on ({a:?}, {b:?}), seed {seed}"
        );
        assert_eq!(
            x.cmp(&x),
            Ordering::Equal,
            "reflexivity on {a:?}, seed {seed}"
        );
    }
    for _ in 0..n {
        let a = gen(&mut rng);
        let b = equal_rewrite(&mut rng, &a);
        assert_eq!(cmp(&a, &b), Ordering::Equal, "{a:?} == {b:?} (seed {seed})");
    }
    // Transitivity: after sorting, every earlier element is <= every later one.
    let mut sample: Vec<Version> = pairs
        .iter()
        .take(1500)
        .map(|(a, _)| a.parse().expect("parses"))
        .collect();
    sample.sort();
    for i in 0..sample.len() {
        for j in i + 1..sample.len() {
            assert_ne!(
                sample[i].cmp(&sample[j]),
                Ordering::Greater,
                "transitivity: {} > {} after sorting (seed {seed})",
                sample[i],
                sample[j]
            );
        }
    }
    eprintln!("nuget: {n} pairs and {n} equal rewrites checked");
}
