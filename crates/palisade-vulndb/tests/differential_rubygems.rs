//! Differential test of the RubyGems scheme against `Gem::Version#<=>` (Debian's `ruby`
//! package): every pair is compared in one Ruby process.

mod harness;

use std::process::Command;

use palisade_vulndb::version::rubygems;

const SCRIPT: &str = r#"
$stdin.set_encoding('UTF-8')
out = []
$stdin.each_line do |line|
  a, b = line.chomp("\n").split("\t", -1)
  begin
    out << (Gem::Version.new(a) <=> Gem::Version.new(b)).to_s
  rescue ArgumentError
    out << 'E'
  end
end
$stdout.write(out.join("\n") + "\n")
"#;

fn oracle() -> Command {
    let mut cmd = Command::new("ruby");
    cmd.args(["-e", SCRIPT]);
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
    "010",
    "99999999999999999999999",
];
const WORDS: &[&str] = &[
    "a", "b", "pre", "rc", "alpha", "beta", "A", "B", "RC", "dev", "z", "ZZ", "a1", "b2", "rc1",
    "pre1", "1a", "x-y", "0", "1",
];
const SEPARATORS: &[&str] = &[".", ".", ".", ".", "-", ""];

fn gen(rng: &mut fastrand::Rng) -> String {
    let mut s = String::from(harness::pick(rng, NUMBERS));
    let n = rng.usize(..5);
    for _ in 0..n {
        s.push_str(harness::pick(rng, SEPARATORS));
        if rng.u8(..3) == 0 {
            s.push_str(harness::pick(rng, WORDS));
        } else {
            s.push_str(harness::pick(rng, NUMBERS));
        }
    }
    match rng.u8(..60) {
        0 => format!(" {s}"),
        1 => format!("{s}\u{c} \u{b}"),
        2 => String::new(),
        3 => format!("v{s}"),
        4 => format!("{s}."),
        5 => s.replacen('.', "..", 1),
        6 => format!("{s}_1"),
        _ => s,
    }
}

fn mutate(rng: &mut fastrand::Rng, v: &str) -> String {
    match rng.u8(..7) {
        0 => format!(
            "{v}{}",
            harness::pick(rng, &[".0", ".0.0", ".00", "-0", ".a", ".pre"])
        ),
        1 => v.replacen('-', ".pre.", 1),
        2 => v.replacen('1', "01", 1),
        3 => v.to_uppercase(),
        4 => format!(
            "{v}{}{}",
            harness::pick(rng, SEPARATORS),
            harness::pick(rng, WORDS)
        ),
        5 => match v.rfind(['.', '-']) {
            Some(i) => v[..i].to_owned(),
            None => v.to_owned(),
        },
        _ => format!("{v}.{}", harness::pick(rng, NUMBERS)),
    }
}

#[test]
fn rubygems_agrees_with_gem_version() {
    let seed = harness::seed("differential_rubygems");
    let mut rng = fastrand::Rng::with_seed(seed);
    let pairs = harness::pairs(&mut rng, harness::pair_count(), gen, mutate);
    let oracle = harness::run_oracle(oracle(), &pairs);
    harness::check("rubygems", seed, &pairs, &oracle, rubygems::compare);
}
