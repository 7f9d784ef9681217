//! Differential test of the Maven scheme against Maven's own `ComparableVersion`
//! (`/usr/share/maven/lib/maven-artifact-3.x.jar`, Debian's `maven` package): a small Java
//! program, compiled with `javac` into `target/` on each run, compares every pair in one JVM.

mod harness;

use std::path::Path;
use std::process::Command;

use palisade_vulndb::version::maven;

const JAR: &str = "/usr/share/maven/lib/maven-artifact-3.x.jar";

const PROGRAM: &str = r#"
import java.io.*;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenCompare {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) continue;
      int tab = line.indexOf('\t');
      String a = line.substring(0, tab), b = line.substring(tab + 1);
      try {
        out.append(Integer.signum(new ComparableVersion(a).compareTo(new ComparableVersion(b))));
      } catch (RuntimeException e) {
        out.append('E');
      }
      out.append('\n');
    }
    System.out.print(out);
  }
}
"#;

fn oracle() -> Command {
    assert!(
        Path::new(JAR).exists(),
        "{JAR} is missing: apt-get install maven"
    );
    let dir = harness::tool_dir("maven");
    std::fs::write(dir.join("MavenCompare.java"), PROGRAM).expect("write MavenCompare.java");
    let status = Command::new("javac")
        .args(["-cp", JAR, "-d"])
        .arg(&dir)
        .arg(dir.join("MavenCompare.java"))
        .status()
        .expect("javac must be installed");
    assert!(status.success(), "javac failed");
    let mut cmd = Command::new("java");
    cmd.arg("-cp")
        .arg(format!("{JAR}:{}", dir.display()))
        .arg("MavenCompare");
    cmd
}

const NUMBERS: &[&str] = &[
    "0",
    "0",
    "1",
    "1",
    "1",
    "2",
    "3",
    "10",
    "11",
    "00",
    "01",
    "010",
    "999999999",
    "1000000000",
    "0000000000",
    "123456789012",
    "999999999999999999",
    "1000000000000000000",
    "0000000000000000000",
    "1234567890123456789012",
    "2147483648",
];
const QUALIFIERS: &[&str] = &[
    "alpha",
    "beta",
    "a",
    "b",
    "m",
    "milestone",
    "rc",
    "cr",
    "snapshot",
    "SNAPSHOT",
    "ga",
    "GA",
    "final",
    "Final",
    "release",
    "RELEASE",
    "sp",
    "SP",
    "xyz",
    "abc",
    "pom",
    "jre",
    "android",
    "c",
    "z",
    "Alpha",
    "RC",
    "M",
    "preview",
    "dev",
    "",
];
const SEPARATORS: &[&str] = &[".", ".", ".", "-", "-", "", "", "_", "+"];

fn gen(rng: &mut fastrand::Rng) -> String {
    let mut s = String::new();
    let n = 1 + rng.usize(..6);
    for i in 0..n {
        if i > 0 {
            s.push_str(harness::pick(rng, SEPARATORS));
        }
        if i == 0 || rng.u8(..3) > 0 {
            s.push_str(harness::pick(rng, NUMBERS));
        } else {
            s.push_str(harness::pick(rng, QUALIFIERS));
        }
    }
    if rng.u8(..40) == 0 {
        s.insert(0, '-');
    }
    s
}

fn mutate(rng: &mut fastrand::Rng, v: &str) -> String {
    match rng.u8(..8) {
        0 => format!(
            "{v}{}",
            harness::pick(rng, &[".0", "-0", "-ga", ".final", "-", ".", "0"])
        ),
        1 => v.to_uppercase(),
        2 => v
            .replacen("alpha", "a", 1)
            .replacen("beta", "b", 1)
            .replacen('-', ".", 1),
        3 => v.replacen('.', "-", 1),
        4 => v.replacen('1', "01", 1),
        5 => format!(
            "{v}{}{}",
            harness::pick(rng, SEPARATORS),
            harness::pick(rng, QUALIFIERS)
        ),
        6 => format!("{v}{}", harness::pick(rng, NUMBERS)),
        _ => match v.rfind(['.', '-']) {
            Some(i) => v[..i].to_owned(),
            None => v.to_owned(),
        },
    }
}

#[test]
fn maven_agrees_with_comparable_version() {
    let seed = harness::seed("differential_maven");
    let mut rng = fastrand::Rng::with_seed(seed);
    let pairs = harness::pairs(&mut rng, harness::pair_count(), gen, mutate);
    let oracle = harness::run_oracle(oracle(), &pairs);
    harness::check("maven", seed, &pairs, &oracle, maven::compare);
}
