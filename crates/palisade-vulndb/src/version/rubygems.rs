//! RubyGems versions, ordered exactly as `Gem::Version#<=>` orders them (RubyGems 3.3, the
//! one Debian's Ruby 3.1 ships; the algorithm has been stable for years).
//!
//! Rules (ported from `rubygems/version.rb`):
//! - A version matches `\A\s*([0-9]+(?>\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*\z`
//!   (ASCII whitespace around it); a blank version is `0`.
//! - Every `-` is replaced by `.pre.`, then the segments are the runs of digits (numbers, any
//!   size) and of letters (strings), so `1.0.a1` is `[1, 0, "a", 1]`.
//! - Canonical segments: the numeric segments before the first string, and the rest, each with
//!   trailing zeros dropped (`1.0.0` = `1`, `1.0.a` = `1.a`, `1.a.0` = `1.a`).
//! - Segments are compared in order, a missing one counting as `0`; a string is below a number
//!   (so `1.0.a` < `1.0`), strings compare bytewise, numbers numerically.
//!
//! Deliberate limit: inputs over 256 bytes are a [`VersionError`].
//!
//! Examples: `1.0.a < 1.0.b1 < 1.0.rc1 < 1.0 = 1.0.0 < 1.0.1`; `1.0-1` = `1.0.pre.1` < `1.0`.
//!
//! References: <https://guides.rubygems.org/patterns/#prerelease-gems>,
//! <https://github.com/rubygems/rubygems/blob/master/lib/rubygems/version.rb>.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::VersionError;

const SCHEME: &str = "rubygems";
const MAX_LENGTH: usize = 256;

/// Orders two versions as `Gem::Version.new(a) <=> Gem::Version.new(b)`.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(a.parse::<Version>()?.cmp(&b.parse::<Version>()?))
}

/// A parsed RubyGems version. Equality is `<=>` returning 0.
#[derive(Debug, Clone)]
pub struct Version {
    /// After `strip` and the `-` → `.pre.` rewrite.
    version: String,
    canonical: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros (`"0"` for zero).
    Number(String),
    String(String),
}

impl Segment {
    fn is_zero(&self) -> bool {
        matches!(self, Self::Number(n) if n == "0")
    }
}

/// Ruby's `\s` (and `String#strip`, but for NUL, which the pattern rejects anyway).
fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

fn is_correct(core: &str) -> bool {
    let (release, pre) = match core.split_once('-') {
        Some((release, pre)) => (release, Some(pre)),
        None => (core, None),
    };
    let mut parts = release.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|pre| {
        pre.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, VersionError> {
        if input.len() > MAX_LENGTH {
            return Err(VersionError::new(SCHEME, input, "longer than 256 bytes"));
        }
        let core = input.trim_matches(is_ruby_space);
        if !core.is_empty() && !is_correct(core) {
            return Err(VersionError::new(
                SCHEME,
                input,
                "malformed version number string",
            ));
        }
        let version = if core.is_empty() {
            "0".to_owned()
        } else {
            core.replace('-', ".pre.")
        };

        let mut segments = Vec::new();
        let bytes = version.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            if bytes[i].is_ascii_digit() {
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                let digits = version[start..i].trim_start_matches('0');
                let digits = if digits.is_empty() { "0" } else { digits };
                segments.push(Segment::Number(digits.to_owned()));
            } else if bytes[i].is_ascii_alphabetic() {
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                segments.push(Segment::String(version[start..i].to_owned()));
            } else {
                i += 1;
            }
        }
        // `canonical_segments`: numeric prefix and the rest, each without trailing zeros.
        let split = segments
            .iter()
            .position(|s| matches!(s, Segment::String(_)))
            .unwrap_or(segments.len());
        let mut canonical = Vec::with_capacity(segments.len());
        for part in [&segments[..split], &segments[split..]] {
            let keep = part.iter().rposition(|s| !s.is_zero()).map_or(0, |p| p + 1);
            canonical.extend_from_slice(&part[..keep]);
        }
        Ok(Self { version, canonical })
    }
}

fn compare_numbers(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.version == other.version || self.canonical == other.canonical {
            return Ordering::Equal;
        }
        let zero = Segment::Number("0".to_owned());
        let len = self.canonical.len().max(other.canonical.len());
        for i in 0..len {
            let lhs = self.canonical.get(i).unwrap_or(&zero);
            let rhs = other.canonical.get(i).unwrap_or(&zero);
            let ord = match (lhs, rhs) {
                (Segment::String(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::String(_)) => Ordering::Greater,
                (Segment::Number(a), Segment::Number(b)) => compare_numbers(a, b),
                (Segment::String(a), Segment::String(b)) => a.as_bytes().cmp(b.as_bytes()),
            };
            if ord.is_ne() {
                return ord;
            }
        }
        Ordering::Equal
    }
}

super::order_by_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn prereleases_sort_before_releases() {
        let chain = [
            "1.0.a", "1.0.a1", "1.0.a2", "1.0.b1", "1.0.rc1", "1.0", "1.0.1", "1.1",
        ];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
            assert_eq!(cmp(w[1], w[0]), Ordering::Greater);
        }
    }

    #[test]
    fn trailing_zeros_and_dashes() {
        assert_eq!(cmp("1.0.0", "1"), Ordering::Equal);
        assert_eq!(cmp("1.0.a.0", "1.a"), Ordering::Equal);
        assert_eq!(cmp("1.0-1", "1.0.pre.1"), Ordering::Equal);
        assert_eq!(cmp("1.0-1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.01", "1.1"), Ordering::Equal);
        assert_eq!(cmp(" 1.0\n", "1"), Ordering::Equal);
        assert_eq!(cmp("", "0"), Ordering::Equal);
        assert_eq!(cmp("1.a10", "1.a9"), Ordering::Greater);
        assert_eq!(cmp("1.A", "1.a"), Ordering::Less);
        assert_eq!(
            cmp("99999999999999999999999.1", "99999999999999999999999"),
            Ordering::Greater
        );
    }

    #[test]
    fn malformed() {
        for bad in [
            "a", "1..2", "1.", ".1", "1.0-", "1.0-a..b", "1 0", "1.0_1", "v1", "1.é",
        ] {
            assert!(compare(bad, "1").is_err(), "{bad:?} must be rejected");
        }
        assert!(compare(&"1".repeat(300), "1").is_err());
    }
}
