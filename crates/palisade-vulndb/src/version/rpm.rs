//! RPM package versions (RHEL, Fedora, SUSE, Amazon Linux, ...), ordered exactly as rpm 4.18's
//! `rpmvercmp` and Python's `rpm.labelCompare` order them.
//!
//! Syntax: `[epoch:]version[-release]`, split as rpm's `parseEVR` splits it: a leading run of
//! digits followed by `:` is the epoch (an empty epoch is `0`), and the release is everything
//! after the *last* hyphen. Whitespace, control and non-ASCII characters, an empty version and an
//! empty release are rejected.
//!
//! Ordering (`labelCompare`): epochs first (a missing epoch is `0`), then versions, then
//! releases, each with `rpmvercmp`. A missing release sorts before any release, so
//! `1.0 < 1.0-1` (this is `labelCompare`'s rule, not the dependency solver's "no release
//! matches any release").
//!
//! `rpmvercmp`: identical strings are equal; otherwise both strings are split into maximal runs
//! of ASCII digits or ASCII letters, everything else being separators (their number and kind do
//! not matter: `1.0 == 1_0`). `~` sorts before everything, even the end (`1.0~rc1 < 1.0`); `^`
//! sorts after the end but before any other segment (`1.0 < 1.0^git1 < 1.0.1`). Digit runs
//! compare numerically with leading zeros ignored, letter runs with `strcmp`, and a digit run is
//! newer than a letter run (`1.0a < 1.0.1`, `1a < 10`). When one string runs out, the longer one
//! is newer.
//!
//! Examples: `1.0~rc1 < 1.0 < 1.0^20230101 < 1.0.1`, `1.01 == 1.1`, `2:1.0 > 1:9.9`,
//! `1.0-1.el9 < 1.0-1.el9_2`.
//!
//! References: rpm `rpmio/rpmvercmp.c` (`rpmvercmp`), `lib/rpmds.c` (`parseEVR`),
//! `python/header-py.c` (`labelCompare`); <https://rpm-software-management.github.io/rpm/manual/dependencies.html>.
//! Differential-tested against `rpm.labelCompare` from python3-rpm (`tests/differential_rpm.rs`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::VersionError;

const SCHEME: &str = "rpm";

/// Longest version string we parse; longer input is rejected rather than compared.
pub const MAX_LEN: usize = 256;

/// A parsed `[epoch:]version[-release]`. `Eq`/`Ord` follow `rpm.labelCompare`.
#[derive(Debug, Clone)]
pub struct RpmVersion {
    /// The epoch as written (digits only, possibly with leading zeros); `None` when absent.
    pub epoch: Option<String>,
    pub version: String,
    /// The release, `None` when there is no hyphen.
    pub release: Option<String>,
}

impl FromStr for RpmVersion {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, VersionError> {
        let err = |reason: &str| VersionError::new(SCHEME, input, reason);
        if input.len() > MAX_LEN {
            return Err(err("longer than 256 bytes"));
        }
        if input.is_empty() {
            return Err(err("empty version"));
        }
        if let Some(c) = input.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(err(&format!("invalid character {c:?}")));
        }
        let digits = input.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = if input.as_bytes().get(digits) == Some(&b':') {
            let e = &input[..digits];
            (
                Some(if e.is_empty() { "0" } else { e }),
                &input[digits + 1..],
            )
        } else {
            (None, input)
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => {
                if r.is_empty() {
                    return Err(err("empty release"));
                }
                (v, Some(r))
            }
            None => (rest, None),
        };
        if version.is_empty() {
            return Err(err("empty version"));
        }
        Ok(Self {
            epoch: epoch.map(str::to_owned),
            version: version.to_owned(),
            release: release.map(str::to_owned),
        })
    }
}

impl fmt::Display for RpmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(e) = &self.epoch {
            write!(f, "{e}:")?;
        }
        f.write_str(&self.version)?;
        if let Some(r) = &self.release {
            write!(f, "-{r}")?;
        }
        Ok(())
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let e1 = self.epoch.as_deref().unwrap_or("0");
        let e2 = other.epoch.as_deref().unwrap_or("0");
        rpmvercmp(e1, e2)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            })
    }
}

super::order_by_cmp!(RpmVersion);

/// Orders two `[epoch:]version[-release]` strings as `rpm.labelCompare` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let a: RpmVersion = a.parse()?;
    let b: RpmVersion = b.parse()?;
    Ok(a.cmp(&b))
}

/// rpm's `rpmvercmp()` on one field (epoch, version or release), byte for byte.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
    let is_sep = |c: u8| c != 0 && !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    let (mut one, mut two) = (0, 0);
    while at(a, one) != 0 || at(b, two) != 0 {
        while is_sep(at(a, one)) {
            one += 1;
        }
        while is_sep(at(b, two)) {
            two += 1;
        }
        let (c1, c2) = (at(a, one), at(b, two));
        // Tilde sorts before everything else.
        if c1 == b'~' || c2 == b'~' {
            if c1 != b'~' {
                return Ordering::Greater;
            }
            if c2 != b'~' {
                return Ordering::Less;
            }
            one += 1;
            two += 1;
            continue;
        }
        // Caret is like tilde, except that the end of the string sorts before it.
        if c1 == b'^' || c2 == b'^' {
            if c1 == 0 {
                return Ordering::Less;
            }
            if c2 == 0 {
                return Ordering::Greater;
            }
            if c1 != b'^' {
                return Ordering::Greater;
            }
            if c2 != b'^' {
                return Ordering::Less;
            }
            one += 1;
            two += 1;
            continue;
        }
        if c1 == 0 || c2 == 0 {
            break;
        }
        let isnum = c1.is_ascii_digit();
        let class = |c: u8| {
            if isnum {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let (mut end1, mut end2) = (one, two);
        while class(at(a, end1)) {
            end1 += 1;
        }
        while class(at(b, end2)) {
            end2 += 1;
        }
        // `one` always starts a segment here; `two` may be of the other class.
        if end2 == two {
            return if isnum {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (mut s1, mut s2) = (&a[one..end1], &b[two..end2]);
        if isnum {
            while s1.first() == Some(&b'0') {
                s1 = &s1[1..];
            }
            while s2.first() == Some(&b'0') {
                s2 = &s2[1..];
            }
            match s1.len().cmp(&s2.len()) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match s1.cmp(s2) {
            Ordering::Equal => {}
            o => return o,
        }
        one = end1;
        two = end2;
    }
    match (at(a, one), at(b, two)) {
        (0, 0) => Ordering::Equal,
        (0, _) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Cases from rpm's own test suite (`tests/rpmvercmp.at`) and a few of ours.
    #[test]
    fn rpmvercmp_vectors() {
        use Ordering::*;
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.0", "2.0", Less),
            ("2.0.1", "2.0.1", Equal),
            ("2.0", "2.0.1", Less),
            ("2.0.1a", "2.0.1a", Equal),
            ("2.0.1a", "2.0.1", Greater),
            ("5.5p1", "5.5p2", Less),
            ("5.5p10", "5.5p1", Greater),
            ("10xyz", "10.1xyz", Less),
            ("xyz10", "xyz10.1", Less),
            ("xyz.4", "8", Less),
            ("5.5p1", "5.6p1", Less),
            ("6.0.rc1", "6.0", Greater),
            ("10b2", "10a1", Greater),
            ("1.0aa", "1.0a", Greater),
            ("10.0001", "10.1", Equal),
            ("10.0039", "10.39", Equal),
            ("4.999.9", "5.0", Less),
            ("20101121", "20101122", Less),
            ("2_0", "2_0", Equal),
            ("2.0", "2_0", Equal),
            ("a", "a", Equal),
            ("a+", "a+", Equal),
            ("a+", "a_", Equal),
            ("+a", "_a", Equal),
            ("+_", "_+", Equal),
            ("+", "_", Equal),
            ("1.0~rc1", "1.0", Less),
            ("1.0~rc1", "1.0~rc2", Less),
            ("1.0~rc1~git123", "1.0~rc1", Less),
            ("1.0^", "1.0", Greater),
            ("1.0^git1", "1.0", Greater),
            ("1.0^git1", "1.0^git2", Less),
            ("1.0^git1", "1.01", Less),
            ("1.0^20160101", "1.0.1", Less),
            ("1.0^20160101^git1", "1.0^20160101", Greater),
            ("1.0~rc1^git1", "1.0~rc1", Greater),
            ("1.0^git1~pre", "1.0^git1", Less),
            ("1a", "10", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(rpmvercmp(a, b), want, "{a} vs {b}");
            assert_eq!(rpmvercmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn label_compare() {
        use Ordering::*;
        let cases = [
            ("1:1.0-1", "2.0-1", Greater),
            ("0:1.0-1", "1.0-1", Equal),
            ("00:1.0", "1.0", Equal),
            (":1.0", "1.0", Equal),
            ("1.0", "1.0-1", Less),
            ("1.0-1.el9", "1.0-1.el9_2", Less),
            ("2.4.57-5.el9", "2.4.57-11.el9", Less),
            ("1.2-3-4", "1.2-3-5", Less),
            ("1:2", "01:2", Equal),
        ];
        for (a, b, want) in cases {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn rejects_bad_syntax() {
        for bad in ["", "1.0-", "1:", "-1", "1.0 1", "1.0\n", "1.0é"] {
            assert!(
                bad.parse::<RpmVersion>().is_err(),
                "{bad:?} should be rejected"
            );
        }
        assert!("1".repeat(300).parse::<RpmVersion>().is_err());
        let v: RpmVersion = "3:1.2-3.el9".parse().unwrap();
        assert_eq!(v.epoch.as_deref(), Some("3"));
        assert_eq!(v.version, "1.2");
        assert_eq!(v.release.as_deref(), Some("3.el9"));
        assert_eq!(v.to_string(), "3:1.2-3.el9");
    }
}
