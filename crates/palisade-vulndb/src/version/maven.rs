//! Maven versions, ordered exactly as `org.apache.maven.artifact.versioning.ComparableVersion`
//! of Maven 3.8 (`maven-artifact` 3.8.7, the one Debian ships) orders them.
//!
//! Rules (ported from `ComparableVersion.parseVersion` and its `Item` classes):
//! - The version is lowercased and split into items at `.`, at `-` (which also opens a nested
//!   list) and at every digit/letter transition (which opens a nested list too). An empty item
//!   is `0`. A qualifier right before a digit that follows a non-empty list starts a new list
//!   (`1.0.0.X1` is read like `1.0.0-X1`).
//! - Numbers lose their leading zeros and are int (up to 9 digits), long (up to 18) or big
//!   integer items; an int is below any long, a long below any big integer (so `0000000000`,
//!   a long zero, is above `1` in `1.0000000000.1` > `1.1`). A number ranks above a qualifier and a list.
//! - Qualifiers: `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < `` = `ga` =
//!   `final` = `release` < `sp` < any other qualifier (those in lexical order). A single `a`,
//!   `b` or `m` directly followed by a digit means `alpha`, `beta`, `milestone`.
//! - Trailing "null" items (`0`, release qualifiers, empty lists) are dropped from every list,
//!   so `1.0.0` = `1` = `1-ga`, and `1.0-1` = `1-1`. A missing item compares as null: `1-sp`
//!   > `1` > `1-rc`, and `1.1` > `1-sp` > `1-1`.
//!
//! Deliberate limits: the input must be ASCII (Java would also treat non-ASCII Unicode digits
//! as digits) and at most 256 bytes; anything else is a [`VersionError`]. Any ASCII string is a
//! version, as for Maven.
//!
//! Examples: `1-alpha1 < 1-beta < 1-m2 < 1-rc1 = 1-cr1 < 1-SNAPSHOT < 1 = 1.0.0 = 1-GA < 1-sp1 <
//! 1-xyz < 1.0.1`.
//!
//! References: <https://maven.apache.org/pom.html#version-order-specification>,
//! `maven-artifact/src/main/java/org/apache/maven/artifact/versioning/ComparableVersion.java`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::VersionError;

const SCHEME: &str = "maven";
const MAX_LENGTH: usize = 256;

/// Orders two versions as `new ComparableVersion(a).compareTo(new ComparableVersion(b))`.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(a.parse::<Version>()?.cmp(&b.parse::<Version>()?))
}

/// A parsed Maven version. Equality is `ComparableVersion` equality.
#[derive(Debug, Clone)]
pub struct Version {
    original: String,
    items: Vec<Item>,
}

impl Version {
    /// The version as written.
    pub fn as_str(&self) -> &str {
        &self.original
    }
}

#[derive(Debug, Clone)]
enum Item {
    /// At most 9 digits.
    Int(u64),
    /// 10 to 18 digits.
    Long(u64),
    /// 19 digits or more, leading zeros stripped (all zeros kept as written).
    Big(String),
    /// A qualifier, aliases resolved.
    Str(String),
    List(Vec<Item>),
}

/// `StringItem.comparableQualifier`: the index of a known qualifier, or `7-` and the value.
fn comparable_qualifier(q: &str) -> String {
    const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

/// `comparableQualifier("")`.
const RELEASE_VERSION_INDEX: &str = "5";

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let value = match value {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        v => v,
    };
    Item::Str(value.to_owned())
}

fn parse_item(is_digit: bool, buf: &str) -> Item {
    if !is_digit {
        return string_item(buf, false);
    }
    // `stripLeadingZeroes` keeps an all-zero string as it is.
    let stripped = match buf.find(|c| c != '0') {
        Some(i) => &buf[i..],
        None => buf,
    };
    // Digits only, so the parses cannot fail; the fallbacks are never used.
    if stripped.len() <= 9 {
        Item::Int(stripped.parse().unwrap_or(0))
    } else if stripped.len() <= 18 {
        Item::Long(stripped.parse().unwrap_or(0))
    } else {
        Item::Big(stripped.to_owned())
    }
}

fn big_is_zero(digits: &str) -> bool {
    digits.bytes().all(|c| c == b'0')
}

fn compare_big(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Self::Int(v) | Self::Long(v) => *v == 0,
            Self::Big(d) => big_is_zero(d),
            Self::Str(q) => comparable_qualifier(q) == RELEASE_VERSION_INDEX,
            Self::List(items) => items.is_empty(),
        }
    }

    /// `Item.compareTo`, where `None` is Java's `null` (a missing item).
    fn compare(&self, other: Option<&Item>) -> Ordering {
        use Item::*;
        let Some(other) = other else {
            return match self {
                Int(v) | Long(v) => (*v != 0).cmp(&false),
                Big(d) => (!big_is_zero(d)).cmp(&false),
                Str(q) => comparable_qualifier(q).as_str().cmp(RELEASE_VERSION_INDEX),
                List(items) => items
                    .iter()
                    .map(|i| i.compare(None))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal),
            };
        };
        match (self, other) {
            (Int(a), Int(b)) | (Long(a), Long(b)) => a.cmp(b),
            (Big(a), Big(b)) => compare_big(a, b),
            (Int(_), Long(_) | Big(_)) | (Long(_), Big(_)) => Ordering::Less,
            (Long(_) | Big(_), Int(_)) | (Big(_), Long(_)) => Ordering::Greater,
            (Int(_) | Long(_) | Big(_), Str(_) | List(_)) => Ordering::Greater,
            (Str(_), Int(_) | Long(_) | Big(_) | List(_)) => Ordering::Less,
            (Str(a), Str(b)) => comparable_qualifier(a).cmp(&comparable_qualifier(b)),
            (List(_), Int(_) | Long(_) | Big(_)) => Ordering::Less,
            (List(_), Str(_)) => Ordering::Greater,
            (List(a), List(b)) => compare_lists(a, b),
        }
    }
}

fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
    let mut left = a.iter();
    let mut right = b.iter();
    loop {
        let (l, r) = (left.next(), right.next());
        let result = match (l, r) {
            (None, None) => return Ordering::Equal,
            (None, Some(r)) => r.compare(None).reverse(),
            (Some(l), r) => l.compare(r),
        };
        if result.is_ne() {
            return result;
        }
    }
}

/// `ListItem.normalize`: drops null items from the end, looking past non-null lists.
fn normalize(items: &mut Vec<Item>) {
    let mut i = items.len();
    while i > 0 {
        i -= 1;
        if items[i].is_null() {
            items.remove(i);
        } else if !matches!(items[i], Item::List(_)) {
            break;
        }
    }
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, VersionError> {
        if input.len() > MAX_LENGTH {
            return Err(VersionError::new(SCHEME, input, "longer than 256 bytes"));
        }
        if !input.is_ascii() {
            return Err(VersionError::new(SCHEME, input, "not ASCII"));
        }
        let version = input.to_ascii_lowercase();
        // Each new list is added to the current one and becomes current, so the lists form a
        // chain: `levels[i + 1]` is the last item of `levels[i]`.
        let mut levels: Vec<Vec<Item>> = vec![Vec::new()];
        let mut is_digit = false;
        let mut start = 0;
        for (i, c) in version.bytes().enumerate() {
            let cur = levels.len() - 1;
            if c == b'.' || c == b'-' {
                let item = if i == start {
                    Item::Int(0)
                } else {
                    parse_item(is_digit, &version[start..i])
                };
                levels[cur].push(item);
                start = i + 1;
                if c == b'-' {
                    levels.push(Vec::new());
                }
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    if !levels[cur].is_empty() {
                        levels.push(Vec::new());
                    }
                    let item = string_item(&version[start..i], true);
                    levels.last_mut().expect("a level").push(item);
                    start = i;
                    levels.push(Vec::new());
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    levels[cur].push(parse_item(true, &version[start..i]));
                    start = i;
                    levels.push(Vec::new());
                }
                is_digit = false;
            }
        }
        if version.len() > start {
            if !is_digit && !levels.last().expect("a level").is_empty() {
                levels.push(Vec::new());
            }
            let item = parse_item(is_digit, &version[start..]);
            levels.last_mut().expect("a level").push(item);
        }
        let mut child: Option<Vec<Item>> = None;
        while let Some(mut items) = levels.pop() {
            if let Some(c) = child.take() {
                items.push(Item::List(c));
            }
            normalize(&mut items);
            child = Some(items);
        }
        Ok(Self {
            original: input.to_owned(),
            items: child.unwrap_or_default(),
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_lists(&self.items, &other.items)
    }
}

super::order_by_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    fn assert_chain(chain: &[&str]) {
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
            assert_eq!(cmp(w[1], w[0]), Ordering::Greater, "{} > {}", w[1], w[0]);
        }
    }

    fn assert_equal(versions: &[&str]) {
        for a in versions {
            for b in versions {
                assert_eq!(cmp(a, b), Ordering::Equal, "{a} == {b}");
            }
        }
    }

    // From Maven's ComparableVersionTest (3.8).
    #[test]
    fn maven_test_versions_qualifier() {
        assert_chain(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
    }

    #[test]
    fn maven_test_versions_number() {
        assert_chain(&[
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ]);
    }

    #[test]
    fn maven_test_versions_equal() {
        assert_equal(&[
            "1",
            "1.0",
            "1.0.0",
            "1-0",
            "1.0-0",
            "1-ga",
            "1-GA",
            "1.ga",
            "1.0-final",
        ]);
        assert_equal(&["1a", "1-a", "1.0-a", "1.0.0-a"]);
        assert_equal(&["1a1", "1-a1", "1-alpha-1", "1alpha1"]);
        assert_equal(&["1cr", "1rc", "1-cr", "1-rc"]);
        assert_equal(&["1x", "1-x", "1.0.0-x"]);
        assert_equal(&["1-1", "1.0-1"]);
        assert_eq!(cmp("1-0-1", "1-1"), Ordering::Less);
    }

    #[test]
    fn number_kinds() {
        // 10 zeros make a long zero, which ranks above any int (and is null at the end).
        assert_eq!(cmp("1.0000000000.1", "1.1"), Ordering::Greater);
        assert_eq!(cmp("1.0000000000", "1"), Ordering::Equal);
        assert_eq!(cmp("2147483648", "999999999"), Ordering::Greater);
        assert_eq!(
            cmp("1234567890123456789", "999999999999999999"),
            Ordering::Greater
        );
        assert_eq!(
            cmp("001234567890123456789", "1234567890123456789"),
            Ordering::Equal
        );
        assert_eq!(cmp("1.010", "1.10"), Ordering::Equal);
    }

    #[test]
    fn limits() {
        assert!(compare("1.0-é", "1").is_err());
        assert!(compare(&"1.".repeat(200), "1").is_err());
        assert_eq!(cmp("", "0"), Ordering::Equal);
        assert_eq!(cmp(&"1-".repeat(128)[..255], "1"), Ordering::Greater);
    }
}
