//! Differential test of the Composer scheme against composer/semver itself (Debian's
//! `php-composer-semver`, pulled in by `composer`, run by `php-cli`): every pair is normalized
//! with `VersionParser::normalize` and ordered with `Comparator`, in one PHP process.

mod harness;

use std::path::Path;
use std::process::Command;

use palisade_vulndb::version::composer;

const AUTOLOAD: &str = "/usr/share/php/Composer/Semver/autoload.php";

const SCRIPT: &str = r#"
require '/usr/share/php/Composer/Semver/autoload.php';
use Composer\Semver\Comparator;
use Composer\Semver\VersionParser;
$parser = new VersionParser();
$out = [];
while (($line = fgets(STDIN)) !== false) {
  $line = rtrim($line, "\n");
  [$a, $b] = explode("\t", $line, 2);
  try {
    $na = $parser->normalize($a);
    $nb = $parser->normalize($b);
  } catch (\UnexpectedValueException $e) {
    $out[] = 'E';
    continue;
  }
  $lt = Comparator::lessThan($na, $nb);
  $eq = Comparator::equalTo($na, $nb);
  $gt = Comparator::greaterThan($na, $nb);
  if ($lt + $eq + $gt !== 1) { $out[] = 'E'; }
  elseif ($lt) { $out[] = '-1'; }
  elseif ($eq) { $out[] = '0'; }
  else { $out[] = '1'; }
}
echo implode("\n", $out), "\n";
"#;

fn oracle() -> Command {
    assert!(
        Path::new(AUTOLOAD).exists(),
        "{AUTOLOAD} is missing: apt-get install php-cli composer"
    );
    let mut cmd = Command::new("php");
    cmd.args(["-r", SCRIPT]);
    cmd
}

const NUMBERS: &[&str] = &[
    "0",
    "0",
    "1",
    "1",
    "2",
    "3",
    "10",
    "00",
    "01",
    "12345",
    "123456",
    "2010",
    "20100102",
    "99999999999999999999",
    "9223372036854775807",
    "9223372036854775808",
];
const STABILITIES: &[&str] = &[
    "alpha", "beta", "b", "a", "RC", "rc", "Rc", "patch", "pl", "p", "stable", "Stable", "dev",
    "DEV", "Alpha", "BETA", "meh", "",
];
const SEPARATORS: &[&str] = &[".", ".", ".", "-", "_", "", ":"];
const BRANCHES: &[&str] = &[
    "dev-master",
    "dev-main",
    "master",
    "trunk",
    "default",
    "dev-feature/foo",
    "DEV-Main",
    "1.x-dev",
    "1.0.x-dev",
    "2.*-dev",
    "v1.X-dev",
    "1.2.3.x-dev",
    "dev-1.0",
    "feature-dev",
];

/// Mostly from the first `common` entries of `items`, sometimes from all of them.
fn pick_mostly<'a>(rng: &mut fastrand::Rng, items: &[&'a str], common: usize) -> &'a str {
    let end = if rng.u8(..8) == 0 {
        items.len()
    } else {
        common
    };
    harness::pick(rng, &items[..end])
}

fn gen(rng: &mut fastrand::Rng) -> String {
    if rng.u8(..10) == 0 {
        return harness::pick(rng, BRANCHES).to_owned();
    }
    let mut s = String::new();
    if rng.u8(..8) == 0 {
        s.push_str(harness::pick(rng, &["v", "V"]));
    }
    s.push_str(pick_mostly(rng, NUMBERS, 8));
    for _ in 0..rng.usize(..4) {
        s.push_str(pick_mostly(rng, SEPARATORS, 1));
        s.push_str(pick_mostly(rng, NUMBERS, 8));
    }
    if rng.u8(..2) == 0 {
        s.push_str(harness::pick(rng, &["-", "", ".", "_"]));
        s.push_str(pick_mostly(rng, STABILITIES, 14));
        if rng.bool() {
            s.push_str(harness::pick(rng, &["", ".", "-"]));
            s.push_str(harness::pick(rng, &NUMBERS[..10]));
        }
    }
    if rng.u8(..5) == 0 {
        s.push_str(harness::pick(rng, &["-dev", ".dev", "dev", "-DEV"]));
    }
    match rng.u8(..40) {
        0 => s.push_str("+build.1"),
        1 => s.push_str("@dev"),
        2 => s.push_str(" as 1.0.0"),
        3 => s = format!(" {s} "),
        4 => s.push('-'),
        5 => s = format!("{s}-{}", harness::pick(rng, &STABILITIES[..14])),
        _ => {}
    }
    s
}

fn mutate(rng: &mut fastrand::Rng, v: &str) -> String {
    match rng.u8(..8) {
        0 => format!(
            "{v}{}",
            harness::pick(rng, &[".0", ".0.0", "-dev", "-stable", "+meta", "@stable"])
        ),
        1 => format!("v{v}"),
        2 => v.replacen('.', "-", 1),
        3 => v.to_uppercase(),
        4 => v
            .replacen("alpha", "a", 1)
            .replacen("beta", "b", 1)
            .replacen("patch", "pl", 1),
        5 => match v.rfind(['.', '-']) {
            Some(i) => v[..i].to_owned(),
            None => v.to_owned(),
        },
        6 => v.replacen('1', "01", 1),
        _ => format!(
            "{v}{}{}",
            harness::pick(rng, &["-", "."]),
            harness::pick(rng, STABILITIES)
        ),
    }
}

#[test]
fn composer_agrees_with_composer_semver() {
    let seed = harness::seed("differential_composer");
    let mut rng = fastrand::Rng::with_seed(seed);
    let pairs = harness::pairs(&mut rng, harness::pair_count(), gen, mutate);
    let oracle = harness::run_oracle(oracle(), &pairs);
    harness::check("composer", seed, &pairs, &oracle, composer::compare);
}
