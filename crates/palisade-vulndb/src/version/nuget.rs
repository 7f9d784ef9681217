//! NuGet versions, ordered as NuGet.Versioning's `VersionComparer.Default` orders
//! `NuGetVersion`s parsed with `NuGetVersion.TryParse`.
//!
//! Parsing (`NuGetVersionFactory.TryParse`, `SemanticVersionFactory.ParseSections`):
//! - The input is trimmed of whitespace; the first `-` or `+` ends the numeric part, the first
//!   `+` after a `-` ends the release labels, the rest is metadata.
//! - The numeric part has 1 to 4 dot-separated components, each a non-negative `Int32` as
//!   `System.Version` reads it (leading zeros and surrounding ASCII whitespace allowed); missing
//!   components are 0, so `1` = `1.0` = `1.0.0` = `1.0.0.0`.
//! - Release labels and metadata identifiers are non-empty `[0-9A-Za-z-]`; an all-digit
//!   release label may not have a leading zero (`01`), metadata identifiers may.
//!
//! Ordering: major, minor, patch, revision numerically; then a version without release labels
//! ranks above one with; labels compare left to right, a shorter list first when it is a
//! prefix; a label `int.TryParse` accepts (optional sign, fits an `Int32`, so `-1` is numeric
//! too) compares numerically and below non-numeric labels, which compare ordinally ignoring
//! case (`BETA` = `beta`). Metadata is ignored.
//!
//! Deliberate limit: inputs over 256 bytes are a [`VersionError`].
//!
//! Examples: `1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-BETA = 1.0.0-beta < 1.0.0-beta.2 <
//! 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0 = 1.0.0.0+meta < 1.0.0.1 < 1.0.1`.
//!
//! References: <https://learn.microsoft.com/nuget/concepts/package-versioning>,
//! <https://github.com/NuGet/NuGet.Client/tree/dev/src/NuGet.Core/NuGet.Versioning>.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::VersionError;

const SCHEME: &str = "nuget";
const MAX_LENGTH: usize = 256;

/// Orders two versions as `VersionComparer.Default.Compare(NuGetVersion.Parse(a), ...(b))`.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(a.parse::<Version>()?.cmp(&b.parse::<Version>()?))
}

/// A parsed NuGet version. Equality ignores metadata and the case of release labels.
#[derive(Debug, Clone)]
pub struct Version {
    /// Major, minor, patch, revision.
    pub numbers: [u32; 4],
    pub release_labels: Vec<String>,
    pub metadata: Option<String>,
}

/// `int.TryParse` with `NumberStyles.Integer`: optional whitespace, optional sign, digits.
fn dotnet_int(s: &str) -> Option<i64> {
    let s = s.trim_matches(|c| matches!(c, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' '));
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    if digits.len() > 10 {
        return None;
    }
    let value: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    let value = if negative { -value } else { value };
    (i64::from(i32::MIN)..=i64::from(i32::MAX))
        .contains(&value)
        .then_some(value)
}

/// `SemanticVersionFactory.IsValidPart`.
fn is_valid_part(s: &str, allow_leading_zeros: bool) -> bool {
    let b = s.as_bytes();
    if b.is_empty() {
        return false;
    }
    if !allow_leading_zeros && b.len() > 1 && b[0] == b'0' && b[1..].iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, VersionError> {
        let err = |reason: &str| VersionError::new(SCHEME, input, reason);
        if input.len() > MAX_LENGTH {
            return Err(err("longer than 256 bytes"));
        }
        let value = input.trim();
        // `ParseSections`, literally: a section that ends the string keeps its last character,
        // even when that is a separator (`1.0-` has the version part `1.0-`).
        let (mut version, mut labels, mut metadata) = ("", None, None);
        let (mut dash_pos, mut plus_pos): (Option<usize>, Option<usize>) = (None, None);
        for (i, c) in value.char_indices() {
            let end = i + c.len_utf8() == value.len();
            let end_pos = if end { value.len() } else { i };
            match (dash_pos, plus_pos) {
                (None, _) => {
                    if end || c == '-' || c == '+' {
                        version = &value[..end_pos];
                        dash_pos = Some(i);
                        if c == '+' {
                            plus_pos = Some(i);
                        }
                    }
                }
                (Some(dash), None) => {
                    if end || c == '+' {
                        labels = Some(&value[dash + 1..end_pos]);
                        plus_pos = Some(i);
                    }
                }
                (Some(_), Some(plus)) => {
                    if end {
                        metadata = Some(&value[plus + 1..]);
                    }
                }
            }
        }
        if version.is_empty() {
            return Err(err("no version number"));
        }
        let parts: Vec<&str> = version.split('.').collect();
        if parts.len() > 4 {
            return Err(err("more than four version components"));
        }
        let mut numbers = [0u32; 4];
        for (i, part) in parts.iter().enumerate() {
            match dotnet_int(part) {
                Some(n) if n >= 0 => numbers[i] = n as u32,
                _ => return Err(err("invalid version component")),
            }
        }
        let release_labels: Vec<String> = match labels {
            Some(labels) => labels.split('.').map(str::to_owned).collect(),
            None => Vec::new(),
        };
        if !release_labels.iter().all(|l| is_valid_part(l, false)) {
            return Err(err("invalid release label"));
        }
        if let Some(m) = metadata {
            if !m.split('.').all(|p| is_valid_part(p, true)) {
                return Err(err("invalid metadata"));
            }
        }
        Ok(Self {
            numbers,
            release_labels,
            metadata: metadata.map(str::to_owned),
        })
    }
}

/// `VersionComparer.CompareRelease`.
fn compare_release(a: &str, b: &str) -> Ordering {
    match (dotnet_int(a), dotnet_int(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => {
            let upper = |s: &str| {
                s.bytes()
                    .map(|c| c.to_ascii_uppercase())
                    .collect::<Vec<u8>>()
            };
            upper(a).cmp(&upper(b))
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (
                self.release_labels.is_empty(),
                other.release_labels.is_empty(),
            ) {
                (true, true) => Ordering::Equal,
                (false, true) => Ordering::Less,
                (true, false) => Ordering::Greater,
                (false, false) => {
                    for (a, b) in self.release_labels.iter().zip(&other.release_labels) {
                        let ord = compare_release(a, b);
                        if ord.is_ne() {
                            return ord;
                        }
                    }
                    self.release_labels.len().cmp(&other.release_labels.len())
                }
            }
        })
    }
}

super::order_by_cmp!(Version);

impl fmt::Display for Version {
    /// The normalized form (`ToNormalizedString`, plus the revision when it is not zero).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [major, minor, patch, revision] = self.numbers;
        write!(f, "{major}.{minor}.{patch}")?;
        if revision > 0 {
            write!(f, ".{revision}")?;
        }
        if !self.release_labels.is_empty() {
            write!(f, "-{}", self.release_labels.join("."))?;
        }
        if let Some(m) = &self.metadata {
            write!(f, "+{m}")?;
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

    // NuGet.Versioning.Test/VersionComparerTests.cs
    #[test]
    fn nuget_comparer_vectors() {
        for (a, b) in [
            ("1.0.0", "1.0.0"),
            ("1.0.0-BETA", "1.0.0-beta"),
            ("1.0.0-BETA+AA", "1.0.0-beta+aa"),
            ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.77.0+aa"),
        ] {
            assert_eq!(cmp(a, b), Ordering::Equal, "{a} == {b}");
        }
        for (a, b) in [
            ("0.0.0", "1.0.0"),
            ("1.0.0", "1.1.0"),
            ("1.0.0", "1.0.1"),
            ("1.999.9999", "2.1.1"),
            ("1.0.0-BETA", "1.0.0-beta2"),
            ("1.0.0-beta+AA", "1.0.0+aa"),
            ("1.0.0-BETA", "1.0.0-beta.1+AA"),
            ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.79.0+aa"),
            ("1.0.0-BETA.X.y.5.79.0+AA", "1.0.0-beta.x.y.5.790.0+abc"),
        ] {
            assert_eq!(cmp(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(cmp(b, a), Ordering::Greater, "{b} > {a}");
        }
    }

    #[test]
    fn four_parts_and_lengths() {
        for v in ["2", "2.0", "2.0.0", "2.0.0.0", " 2.0 ", "02.00"] {
            assert_eq!(cmp(v, "2.0.0"), Ordering::Equal, "{v}");
        }
        assert_eq!(cmp("1.0.0.1", "1.0.0"), Ordering::Greater);
        assert_eq!(cmp("1.0.0.1-beta", "1.0.0.1"), Ordering::Less);
        assert_eq!(cmp("1.0.0-beta", "1.0.0-beta.1"), Ordering::Less);
        assert_eq!(cmp("1.0.0-2", "1.0.0-10"), Ordering::Less);
        assert_eq!(cmp("1.0.0-10", "1.0.0-a"), Ordering::Less);
        assert_eq!(cmp("1.0.0-a.-1", "1.0.0-a.0"), Ordering::Less);
        assert_eq!(cmp("1.0.0-99999999999", "1.0.0-a"), Ordering::Less);
        assert_eq!(
            cmp("1.0.0-99999999999", "1.0.0-2147483647"),
            Ordering::Greater
        );
    }

    #[test]
    fn invalid_versions() {
        for bad in [
            "",
            "a",
            "-1",
            "1.0.0.0.0",
            "1.0-",
            "1.0+",
            "1.0-a+",
            "1.0.0-beta.01",
            "1.0.0-a..b",
            "1.0.0+a..b",
            "1..0",
            "2147483648.0",
            "1.0.0-é",
            "v1.0",
            "1.0.0-+meta",
        ] {
            assert!(compare(bad, "1.0").is_err(), "{bad:?} must be rejected");
        }
        assert!(compare("1.0.0+007", "1.0").is_ok());
        assert!(compare("1.0+a-", "1.0").is_ok());
        assert!(compare("1.0+-", "1.0").is_ok());
        assert!(compare("2147483647.0", "1.0").is_ok());
        assert!(compare("1. 2", "1.0").is_ok());
    }
}
