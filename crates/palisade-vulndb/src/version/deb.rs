//! Debian (and Ubuntu) package versions, ordered exactly as `dpkg --compare-versions` orders them.
//!
//! Syntax (Debian policy 5.6.12): `[epoch:]upstream_version[-debian_revision]`.
//!
//! - The epoch is an unsigned decimal number up to `i32::MAX`; absent means `0`.
//! - The revision is everything after the *last* hyphen; absent compares like an empty
//!   revision (so `1.0` and `1.0-0` are equal, as in dpkg).
//! - Upstream may contain ASCII letters, digits and `. + ~ - :`; the revision letters, digits
//!   and `. + ~`. Anything else is rejected (dpkg only warns about it; a vulnerability feed
//!   carrying such a version is broken, so we refuse to guess). An upstream version that does
//!   not start with a digit is accepted, as dpkg accepts it (with a warning).
//!
//! Ordering (dpkg's `verrevcmp`): epochs numerically, then upstream, then revision. Each part is
//! compared as alternating non-digit and digit runs. In non-digit runs characters compare by a
//! modified ASCII order where `~` sorts before everything, even the end of the string, then the
//! end of the string, then letters, then all other characters. Digit runs compare numerically
//! (leading zeros ignored, no length limit).
//!
//! Examples: `1.0~rc1 < 1.0 < 1.0+b1 < 1.0a < 1.0-1 < 1:0.1`, `1.01 == 1.1`, `1.0 == 1.0-0`.
//!
//! References: Debian policy §5.6.12
//! <https://www.debian.org/doc/debian-policy/ch-controlfields.html#version>, dpkg
//! `lib/dpkg/version.c` (`dpkg_version_compare`, `verrevcmp`) and `lib/dpkg/parsehelp.c`
//! (`parseversion`). Differential-tested against `dpkg --compare-versions`
//! (`tests/differential_deb.rs`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::VersionError;

const SCHEME: &str = "deb";

/// Longest version string we parse; longer input is rejected rather than compared.
pub const MAX_LEN: usize = 256;

/// A parsed Debian version. `Eq`/`Ord` follow dpkg, so `1.01` equals `1.1`.
#[derive(Debug, Clone)]
pub struct DebVersion {
    pub epoch: u32,
    pub upstream: String,
    /// The Debian revision, `None` when there is no hyphen.
    pub revision: Option<String>,
}

impl FromStr for DebVersion {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, VersionError> {
        let err = |reason: &str| VersionError::new(SCHEME, input, reason);
        if input.len() > MAX_LEN {
            return Err(err("longer than 256 bytes"));
        }
        // dpkg trims surrounding whitespace and rejects embedded whitespace.
        let s = input.trim_matches(|c: char| c.is_ascii_whitespace());
        if s.is_empty() {
            return Err(err("empty version"));
        }
        if s.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(err("embedded whitespace"));
        }
        let (epoch, rest) = match s.split_once(':') {
            Some((e, rest)) => {
                if e.is_empty() {
                    return Err(err("empty epoch"));
                }
                if !e.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err("epoch is not a number"));
                }
                let epoch = e
                    .parse::<u32>()
                    .ok()
                    .filter(|&n| n <= i32::MAX as u32)
                    .ok_or_else(|| err("epoch too big"))?;
                (epoch, rest)
            }
            None => (0, s),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((u, r)) => {
                if r.is_empty() {
                    return Err(err("empty revision"));
                }
                (u, Some(r))
            }
            None => (rest, None),
        };
        if upstream.is_empty() {
            return Err(err("empty upstream version"));
        }
        if let Some(c) = upstream
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || ".-+~:".contains(c)))
        {
            return Err(err(&format!("invalid character {c:?} in upstream version")));
        }
        if let Some(c) = revision.and_then(|r| {
            r.chars()
                .find(|&c| !(c.is_ascii_alphanumeric() || ".+~".contains(c)))
        }) {
            return Err(err(&format!("invalid character {c:?} in revision")));
        }
        Ok(Self {
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.map(str::to_owned),
        })
    }
}

impl fmt::Display for DebVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}:", self.epoch)?;
        }
        f.write_str(&self.upstream)?;
        if let Some(r) = &self.revision {
            write!(f, "-{r}")?;
        }
        Ok(())
    }
}

impl Ord for DebVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| {
                verrevcmp(
                    self.revision.as_deref().unwrap_or(""),
                    other.revision.as_deref().unwrap_or(""),
                )
            })
    }
}

super::order_by_cmp!(DebVersion);

/// Orders two Debian versions as `dpkg --compare-versions` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let a: DebVersion = a.parse()?;
    let b: DebVersion = b.parse()?;
    Ok(a.cmp(&b))
}

/// dpkg's `order()`: the weight of one character in a non-digit run (0 is the end).
fn order(c: u8) -> i32 {
    match c {
        0 => 0,
        b'~' => -1,
        c if c.is_ascii_digit() => 0,
        c if c.is_ascii_alphabetic() => i32::from(c),
        c => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp()` on one part (upstream or revision).
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let at = |i: usize| a.get(i).copied().unwrap_or(0);
    let bt = |j: usize| b.get(j).copied().unwrap_or(0);
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !at(i).is_ascii_digit()) || (j < b.len() && !bt(j).is_ascii_digit()) {
            let (ac, bc) = (order(at(i)), order(bt(j)));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while at(i) == b'0' {
            i += 1;
        }
        while bt(j) == b'0' {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while at(i).is_ascii_digit() && bt(j).is_ascii_digit() {
            if first_diff == Ordering::Equal {
                first_diff = at(i).cmp(&bt(j));
            }
            i += 1;
            j += 1;
        }
        if at(i).is_ascii_digit() {
            return Ordering::Greater;
        }
        if bt(j).is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn tricky_orderings() {
        use Ordering::*;
        let cases = [
            ("1.0~rc1", "1.0", Less),
            ("1.0~~", "1.0~", Less),
            ("1.0~", "1.0", Less),
            ("1.0", "1.0+b1", Less),
            ("1.0", "1.0a", Less),
            ("1.0a", "1.0+", Less),
            ("1.0", "1.0.1", Less),
            ("1.01", "1.1", Equal),
            ("1.0", "1.0-0", Equal),
            ("1.0-1", "1.0-1.1", Less),
            ("1:0.1", "2.0", Greater),
            ("0:1.0", "1.0", Equal),
            ("1.0-1~bpo1", "1.0-1", Less),
            ("2:1.2-3-4", "2:1.2-3-5", Less),
            ("1:1.2:3", "1:1.2:4", Less),
            ("9", "10", Less),
            ("1.0.0000000000000000000000000001", "1.0.1", Equal),
            (
                "1.0.99999999999999999999999999999",
                "1.0.100000000000000000000000000000",
                Less,
            ),
            ("a", "b", Less),
            ("1.2.3+dfsg-1ubuntu0.1", "1.2.3+dfsg-1", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn rejects_bad_syntax() {
        for bad in [
            "",
            " ",
            "1.0-",
            ":1.0",
            "a:1.0",
            "1:",
            "1:-1",
            "1.0 1",
            "1.0_1",
            "1.0-a_b",
            "99999999999:1",
            "1.0@",
        ] {
            assert!(
                bad.parse::<DebVersion>().is_err(),
                "{bad:?} should be rejected"
            );
        }
        assert!("x".repeat(300).parse::<DebVersion>().is_err());
    }

    #[test]
    fn parses_parts() {
        let v: DebVersion = "3:1.2-3-4".parse().unwrap();
        assert_eq!(v.epoch, 3);
        assert_eq!(v.upstream, "1.2-3");
        assert_eq!(v.revision.as_deref(), Some("4"));
        assert_eq!(v.to_string(), "3:1.2-3-4");
        let v: DebVersion = " 1.0 ".parse().unwrap();
        assert_eq!(v.to_string(), "1.0");
    }
}
