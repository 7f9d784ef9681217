//! Semantic Versioning 2.0.0 precedence, exactly as npm's `semver` package (v7) compares
//! versions with `semver.compare(a, b)` (strict, non-loose parsing). Go modules (`v1.2.3`,
//! pseudo-versions) and crates.io use the same scheme.
//!
//! Rules (npm `classes/semver.js`, `internal/re.js`, `internal/identifiers.js`):
//! - The input is trimmed of ECMAScript whitespace; it may be at most 256 UTF-16 code units
//!   long (before trimming). An optional lowercase `v` prefix is accepted; `=` and `V` are not
//!   (only npm's loose mode and ranges accept those).
//! - `MAJOR.MINOR.PATCH`, each `0` or a digit string without leading zero, at most
//!   `Number.MAX_SAFE_INTEGER`; then optionally `-` prerelease identifiers and `+` build
//!   identifiers, dot-separated, from `[0-9A-Za-z-]`. A numeric prerelease identifier may not
//!   have a leading zero; build identifiers may.
//! - Build metadata is ignored. A version without prerelease ranks above one with.
//! - Prerelease identifiers are compared left to right: numeric ones numerically and below
//!   alphanumeric ones, alphanumeric ones by ASCII order, a shorter list below a longer one with
//!   the same prefix.
//! - npm quirk kept on purpose: numeric identifiers are compared as JavaScript numbers, so two
//!   identifiers of 2^53 or more that round to the same double compare equal, and the
//!   comparison stops there.
//!
//! Examples: `1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta.2 < 1.0.0-beta.11 <
//! 1.0.0-rc.1 < 1.0.0`; `v1.2.3 == 1.2.3+build.5`;
//! `v0.0.0-20200101000000-abcdef123456 < v0.1.0`.
//!
//! References: <https://semver.org/spec/v2.0.0.html>, <https://github.com/npm/node-semver>,
//! <https://go.dev/ref/mod#pseudo-versions>.
//!
//! The `semver` crate is not used: it rejects the `v` prefix, and it compares big numeric
//! identifiers exactly where npm rounds them, so it would disagree with npm on those.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::VersionError;

const SCHEME: &str = "semver";
/// npm's `MAX_LENGTH`, in UTF-16 code units.
const MAX_LENGTH: usize = 256;
/// JavaScript's `Number.MAX_SAFE_INTEGER`.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Orders two versions as `semver.compare(a, b)` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(a.parse::<Version>()?.cmp(&b.parse::<Version>()?))
}

/// A parsed SemVer version. Equality is precedence equality (build metadata ignored).
#[derive(Debug, Clone)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: Vec<Identifier>,
    pub build: Vec<String>,
}

/// One prerelease identifier, as npm stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// All digits and below `Number.MAX_SAFE_INTEGER`.
    Numeric(u64),
    /// Anything else, including digit strings too large for a safe integer.
    Alphanumeric(String),
}

/// ECMAScript `String.prototype.trim` whitespace (WhiteSpace and LineTerminator).
fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// `0|[1-9]\d*`, at most `MAX_SAFE_INTEGER`.
fn parse_core(part: &str, what: &str, input: &str) -> Result<u64, VersionError> {
    let err = |reason: String| VersionError::new(SCHEME, input, reason);
    if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
        return Err(err(format!("{what} version {part:?} is not a number")));
    }
    if part.len() > 1 && part.starts_with('0') {
        return Err(err(format!("{what} version {part:?} has a leading zero")));
    }
    match part.parse::<u64>() {
        Ok(n) if n <= MAX_SAFE_INTEGER => Ok(n),
        _ => Err(err(format!(
            "{what} version {part:?} is larger than 2^53 - 1"
        ))),
    }
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, VersionError> {
        let err = |reason: &str| VersionError::new(SCHEME, input, reason);
        // UTF-8 is never shorter than UTF-16, so the byte test bounds the work first.
        if input.len() > 4 * MAX_LENGTH || input.encode_utf16().count() > MAX_LENGTH {
            return Err(err("longer than 256 characters"));
        }
        let s = input.trim_matches(is_js_whitespace);
        let s = s.strip_prefix('v').unwrap_or(s);
        let (rest, build) = match s.split_once('+') {
            Some((rest, build)) => (rest, Some(build)),
            None => (s, None),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (rest, None),
        };
        let mut parts = core.split('.');
        let (Some(major), Some(minor), Some(patch), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err("expected MAJOR.MINOR.PATCH"));
        };
        let major = parse_core(major, "major", input)?;
        let minor = parse_core(minor, "minor", input)?;
        let patch = parse_core(patch, "patch", input)?;

        let mut pre_ids = Vec::new();
        if let Some(pre) = pre {
            for id in pre.split('.') {
                if id.is_empty() || !id.bytes().all(is_ident_char) {
                    return Err(err("invalid prerelease identifier"));
                }
                if id.bytes().all(|c| c.is_ascii_digit()) {
                    if id.len() > 1 && id.starts_with('0') {
                        return Err(err("numeric prerelease identifier with a leading zero"));
                    }
                    match id.parse::<u64>() {
                        Ok(n) if n < MAX_SAFE_INTEGER => pre_ids.push(Identifier::Numeric(n)),
                        _ => pre_ids.push(Identifier::Alphanumeric(id.to_owned())),
                    }
                } else {
                    pre_ids.push(Identifier::Alphanumeric(id.to_owned()));
                }
            }
        }
        let mut build_ids = Vec::new();
        if let Some(build) = build {
            for id in build.split('.') {
                if id.is_empty() || !id.bytes().all(is_ident_char) {
                    return Err(err("invalid build identifier"));
                }
                build_ids.push(id.to_owned());
            }
        }
        Ok(Self {
            major,
            minor,
            patch,
            pre: pre_ids,
            build: build_ids,
        })
    }
}

impl Identifier {
    fn is_numeric(&self) -> bool {
        match self {
            Self::Numeric(_) => true,
            Self::Alphanumeric(s) => s.bytes().all(|c| c.is_ascii_digit()),
        }
    }

    /// The identifier as JavaScript's unary `+` sees it (numeric identifiers only).
    fn as_f64(&self) -> f64 {
        match self {
            Self::Numeric(n) => *n as f64,
            // Correctly rounded, as JavaScript's string-to-number conversion.
            Self::Alphanumeric(s) => s.parse().unwrap_or(f64::INFINITY),
        }
    }
}

/// npm's `compareIdentifiers`.
fn compare_identifiers(a: &Identifier, b: &Identifier) -> Ordering {
    if let (Identifier::Numeric(x), Identifier::Numeric(y)) = (a, b) {
        return x.cmp(y);
    }
    match (a.is_numeric(), b.is_numeric()) {
        (true, true) => a
            .as_f64()
            .partial_cmp(&b.as_f64())
            .unwrap_or(Ordering::Equal),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => match (a, b) {
            (Identifier::Alphanumeric(x), Identifier::Alphanumeric(y)) => x.cmp(y),
            // Unreachable: a `Numeric` identifier is numeric.
            _ => Ordering::Equal,
        },
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let main =
            (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch));
        if main != Ordering::Equal {
            return main;
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (false, true) => return Ordering::Less,
            (true, false) => return Ordering::Greater,
            (false, false) => {}
        }
        for i in 0.. {
            match (self.pre.get(i), other.pre.get(i)) {
                (None, None) => return Ordering::Equal,
                (Some(_), None) => return Ordering::Greater,
                (None, Some(_)) => return Ordering::Less,
                (Some(a), Some(b)) if a == b => continue,
                // npm returns here even when the identifiers compare equal (rounded numbers).
                (Some(a), Some(b)) => return compare_identifiers(a, b),
            }
        }
        Ordering::Equal
    }
}

super::order_by_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, id) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            match id {
                Identifier::Numeric(n) => write!(f, "{n}")?,
                Identifier::Alphanumeric(s) => f.write_str(s)?,
            }
        }
        for (i, id) in self.build.iter().enumerate() {
            f.write_str(if i == 0 { "+" } else { "." })?;
            f.write_str(id)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn spec_precedence_chain() {
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
            assert_eq!(cmp(w[1], w[0]), Ordering::Greater);
        }
    }

    #[test]
    fn prefix_whitespace_and_build_metadata() {
        assert_eq!(cmp("v1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(cmp(" 1.2.3\u{a0}", "1.2.3+build.01"), Ordering::Equal);
        assert_eq!(cmp("1.2.3-x+a", "1.2.3-x+b"), Ordering::Equal);
        assert!(compare("=1.2.3", "1.2.3").is_err());
        assert!(compare("V1.2.3", "1.2.3").is_err());
        assert!(compare("vv1.2.3", "1.2.3").is_err());
    }

    #[test]
    fn numeric_below_alphanumeric() {
        assert_eq!(cmp("1.0.0-1", "1.0.0-a"), Ordering::Less);
        assert_eq!(cmp("1.0.0-9", "1.0.0-10"), Ordering::Less);
        assert_eq!(cmp("1.0.0-1a", "1.0.0-10"), Ordering::Greater);
        assert_eq!(cmp("1.0.0-B", "1.0.0-a"), Ordering::Less);
        assert_eq!(cmp("1.0.0--", "1.0.0-0"), Ordering::Greater);
    }

    #[test]
    fn go_pseudo_versions() {
        assert_eq!(
            cmp(
                "v0.0.0-20200101000000-abcdef123456",
                "v0.0.0-20210101000000-abcdef123456"
            ),
            Ordering::Less
        );
        assert_eq!(
            cmp("v1.2.4-0.20200101000000-abcdef123456", "v1.2.3"),
            Ordering::Greater
        );
        assert_eq!(
            cmp("v1.2.4-0.20200101000000-abcdef123456", "v1.2.4-pre"),
            Ordering::Less
        );
    }

    #[test]
    fn invalid_versions() {
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.02.3",
            "1.2.03",
            "1.2.3-",
            "1.2.3-01",
            "1.2.3-a..b",
            "1.2.3+",
            "1.2.3+a..b",
            "1.2.3-ä",
            "a.b.c",
            "1.2.3 x",
            "9007199254740992.0.0",
        ] {
            assert!(compare(bad, "1.0.0").is_err(), "{bad:?} must be rejected");
        }
        assert!(compare("1.2.3+01", "1.0.0").is_ok());
        assert!(compare("9007199254740991.0.0", "1.0.0").is_ok());
        let long = format!("1.2.3-{}", "a".repeat(251));
        assert!(compare(&long, "1.0.0").is_err());
        assert!(compare(&long[..256], "1.0.0").is_ok());
    }

    #[test]
    fn big_numeric_identifiers_round_like_javascript() {
        // 2^53 and 2^53 + 1 are the same double: npm says equal and stops comparing.
        assert_eq!(
            cmp("1.0.0-9007199254740992.a", "1.0.0-9007199254740993.b"),
            Ordering::Equal
        );
        assert_eq!(
            cmp("1.0.0-9007199254740990", "1.0.0-99999999999999999999"),
            Ordering::Less
        );
    }
}
