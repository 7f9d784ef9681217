//! Composer (PHP) versions, ordered as Composer orders them: each version is normalized with
//! `Composer\Semver\VersionParser::normalize` and the two normalized strings are compared with
//! `Composer\Semver\Comparator` (composer/semver 3.3), which uses PHP's `version_compare` and
//! treats `dev-` branches apart.
//!
//! Normalization (ported from `VersionParser::normalize`, PHP 8.2 / PCRE semantics):
//! - trim; drop an ` as alias` part and an `@stability` flag; `master`, `trunk`, `default`
//!   become `dev-master` etc.; `dev-*` (any case) is a branch and kept as it is; `+build`
//!   metadata is dropped.
//! - Classical versions `v?\d{1,5}(\.\d+){0,3}` get four parts (`1.2` → `1.2.0.0`); date
//!   versions (`2010.01.02`, `20100102`) keep their digits, separators turned into dots.
//! - A modifier follows: `[._-]?` then `stable|beta|b|RC|alpha|a|patch|pl|p` (any case) with
//!   optional numbers, then an optional `[.-]?dev`: `1.0b2-dev` → `1.0.0.0-beta2-dev`,
//!   `1.0pl3` → `1.0.0.0-patch3`. A lowercase `stable` drops the rest of the modifier.
//! - Otherwise `<branch>[.-]dev` with a numeric branch (`1.x-dev`) becomes
//!   `1.9999999.9999999.9999999-dev`; anything else is invalid ([`VersionError`]).
//!
//! Ordering (`Comparator` / `Constraint::versionCompare`): two branches are equal when
//! identical and otherwise not ordered ([`VersionError`]); a branch is below every other version
//! (`version_compare` sees `dev` against a number); everything else is PHP's `version_compare`:
//! `-`, `_`, `+` become `.`, a `.` goes between digits and letters, parts compare numerically
//! (C `strtol`, saturating) or by special form `dev` < `alpha` = `a` < `beta` = `b` < `RC` =
//! `rc` < number < `pl` = `p` (prefix match; unknown words below `dev`), and a longer version
//! wins when its extra part is a number or `pl`/`p`.
//!
//! Examples: `1.0.0-dev < 1.0.0-alpha1 < 1.0.0-beta < 1.0.0-RC1 < 1.0.0 = v1.0 < 1.0.0-p1 <
//! 1.0.1`; `dev-main < 0.0.1`.
//!
//! Deliberate limit: inputs over 256 bytes are a [`VersionError`].
//!
//! References: <https://github.com/composer/semver/blob/main/src/VersionParser.php>,
//! <https://www.php.net/manual/en/function.version-compare.php>,
//! php-src `ext/standard/versioning.c`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::VersionError;

const SCHEME: &str = "composer";
const MAX_LENGTH: usize = 256;

/// Orders two versions as `Comparator::lessThan` / `equalTo` / `greaterThan` on their
/// normalized forms do. Two different branches are not ordered: an error.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let va = a.parse::<Version>()?;
    let vb = b.parse::<Version>()?;
    va.try_cmp(&vb)
        .ok_or_else(|| VersionError::new(SCHEME, a, format!("branch is not ordered against {b:?}")))
}

/// A version normalized as `VersionParser::normalize` does.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    normalized: String,
}

impl Version {
    /// The normalized form (`1.0.0.0-beta2`, `dev-main`).
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// Whether this is a `dev-` branch.
    pub fn is_branch(&self) -> bool {
        self.normalized.starts_with("dev-")
    }

    /// The Comparator's order; `None` for two different branches.
    pub fn try_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self.is_branch(), other.is_branch()) {
            (true, true) => (self.normalized == other.normalized).then_some(Ordering::Equal),
            _ => Some(php_version_compare(
                self.normalized.as_bytes(),
                other.normalized.as_bytes(),
            )),
        }
    }
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, VersionError> {
        if input.len() > MAX_LENGTH {
            return Err(VersionError::new(SCHEME, input, "longer than 256 bytes"));
        }
        normalize(input)
            .map(|normalized| Self { normalized })
            .ok_or_else(|| VersionError::new(SCHEME, input, "invalid version string"))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalized)
    }
}

/// PHP `trim`'s default characters.
fn is_php_trim(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\0' | '\u{b}')
}

/// PCRE `\s` (no UTF mode).
fn is_pcre_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

fn starts_with_ci(s: &[u8], prefix: &str) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// `^([^,\s]++) ++as ++([^,\s]++)$`: the part before the alias.
fn strip_alias(v: &str) -> &str {
    let b = v.as_bytes();
    let tok = |from: usize| {
        b[from..]
            .iter()
            .position(|&c| c == b',' || is_pcre_space(c))
            .map_or(b.len(), |p| from + p)
    };
    let spaces = |from: usize| {
        b[from..]
            .iter()
            .position(|&c| c != b' ')
            .map_or(b.len(), |p| from + p)
    };
    let end1 = tok(0);
    if end1 == 0 {
        return v;
    }
    let s1 = spaces(end1);
    if s1 == end1 || !b[s1..].starts_with(b"as") {
        return v;
    }
    let s2 = spaces(s1 + 2);
    if s2 == s1 + 2 {
        return v;
    }
    let end2 = tok(s2);
    if end2 > s2 && end2 == b.len() {
        &v[..end1]
    } else {
        v
    }
}

/// `@(?:stable|RC|beta|alpha|dev)$`, case-insensitive.
fn strip_stability_flag(v: &str) -> &str {
    for flag in ["stable", "rc", "beta", "alpha", "dev"] {
        let n = flag.len() + 1;
        if v.len() >= n {
            let tail = &v.as_bytes()[v.len() - n..];
            if tail[0] == b'@' && tail[1..].eq_ignore_ascii_case(flag.as_bytes()) {
                return &v[..v.len() - n];
            }
        }
    }
    v
}

/// `^([^,\s+]++)\+[^\s]++$`: the part before the build metadata.
fn strip_build(v: &str) -> &str {
    let b = v.as_bytes();
    let Some(i) = b
        .iter()
        .position(|&c| c == b',' || c == b'+' || is_pcre_space(c))
    else {
        return v;
    };
    if i > 0 && b[i] == b'+' && i + 1 < b.len() && !b[i + 1..].iter().any(|&c| is_pcre_space(c)) {
        &v[..i]
    } else {
        v
    }
}

/// The captures of `modifierRegex` followed by `$`.
struct Modifier<'a> {
    stability: Option<&'a str>,
    numbers: &'a str,
    dev: bool,
}

const STABILITIES: [&str; 9] = [
    "stable", "beta", "b", "RC", "alpha", "a", "patch", "pl", "p",
];

/// `[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?$` (case-
/// insensitive), tried in PCRE's backtracking order.
fn match_modifier(s: &str) -> Option<Modifier<'_>> {
    let b = s.as_bytes();
    // `([.-]?dev)?$` from `pos`: Some(dev) when the rest matches.
    let dev_end = |pos: usize| -> Option<bool> {
        let rest = &b[pos..];
        let after_sep = if !rest.is_empty() && (rest[0] == b'.' || rest[0] == b'-') {
            1
        } else {
            0
        };
        for skip in [after_sep, 0] {
            if rest.len() == skip + 3 && rest[skip..].eq_ignore_ascii_case(b"dev") {
                return Some(true);
            }
        }
        rest.is_empty().then_some(false)
    };
    let seps: &[usize] = if !b.is_empty() && matches!(b[0], b'.' | b'_' | b'-') {
        &[1, 0]
    } else {
        &[0]
    };
    for &start in seps {
        for word in STABILITIES {
            if !starts_with_ci(&b[start..], word) {
                continue;
            }
            let num_start = start + word.len();
            let mut pos = num_start;
            loop {
                let unit = if pos < b.len() && (b[pos] == b'.' || b[pos] == b'-') {
                    pos + 1
                } else {
                    pos
                };
                if unit < b.len() && b[unit].is_ascii_digit() {
                    pos = unit;
                    while pos < b.len() && b[pos].is_ascii_digit() {
                        pos += 1;
                    }
                } else {
                    break;
                }
            }
            if let Some(dev) = dev_end(pos) {
                return Some(Modifier {
                    stability: Some(&s[start..num_start]),
                    numbers: &s[num_start..pos],
                    dev,
                });
            }
        }
        if let Some(dev) = dev_end(start) {
            return Some(Modifier {
                stability: None,
                numbers: "",
                dev,
            });
        }
    }
    None
}

fn expand_stability(s: &str) -> String {
    match s.to_ascii_lowercase().as_str() {
        "a" => "alpha".to_owned(),
        "b" => "beta".to_owned(),
        "p" | "pl" => "patch".to_owned(),
        "rc" => "RC".to_owned(),
        other => other.to_owned(),
    }
}

fn apply_modifier(mut version: String, m: &Modifier<'_>) -> String {
    if let Some(stability) = m.stability {
        if stability == "stable" {
            return version;
        }
        version.push('-');
        version.push_str(&expand_stability(stability));
        version.push_str(m.numbers.trim_start_matches(['.', '-']));
    }
    if m.dev {
        version.push_str("-dev");
    }
    version
}

fn strip_v(s: &str) -> &str {
    match s.as_bytes().first() {
        Some(b'v' | b'V') => &s[1..],
        _ => s,
    }
}

fn digit_run(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|c| !c.is_ascii_digit())
        .map_or(b.len(), |p| from + p)
}

/// `^v?(\d{1,5})(\.\d++)?(\.\d++)?(\.\d++)?` + modifier + `$`.
fn classical(v: &str) -> Option<String> {
    let s = strip_v(v);
    let b = s.as_bytes();
    let major_end = digit_run(b, 0);
    if major_end == 0 || major_end > 5 {
        return None;
    }
    let mut version = s[..major_end].to_owned();
    let mut pos = major_end;
    for _ in 0..3 {
        if pos < b.len() && b[pos] == b'.' && b.get(pos + 1).is_some_and(u8::is_ascii_digit) {
            let end = digit_run(b, pos + 1);
            version.push_str(&s[pos..end]);
            pos = end;
        } else {
            version.push_str(".0");
        }
    }
    let m = match_modifier(&s[pos..])?;
    Some(apply_modifier(version, &m))
}

/// `\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?` matching all of `b`.
fn is_date(b: &[u8]) -> bool {
    fn digits(b: &[u8], from: usize, n: usize) -> bool {
        b.len() >= from + n && b[from..from + n].iter().all(u8::is_ascii_digit)
    }
    fn sep(b: &[u8], pos: usize) -> Vec<usize> {
        let mut starts = vec![pos];
        if pos < b.len() && matches!(b[pos], b'.' | b':' | b'-') {
            starts.push(pos + 1);
        }
        starts
    }
    fn units(b: &[u8], pos: usize, count: usize) -> bool {
        if count >= 1 {
            if pos == b.len() {
                return true;
            }
            for start in sep(b, pos) {
                for n in 1..=3 {
                    if digits(b, start, n) && start + n == b.len() {
                        return true;
                    }
                }
            }
        }
        if count < 6 {
            for start in sep(b, pos) {
                if digits(b, start, 2) && units(b, start + 2, count + 1) {
                    return true;
                }
            }
        }
        false
    }
    digits(b, 0, 4) && units(b, 4, 0)
}

/// `^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?)` + modifier + `$`.
fn date(v: &str) -> Option<String> {
    let s = strip_v(v);
    let b = s.as_bytes();
    for k in (4..=b.len()).rev() {
        if !s.is_char_boundary(k) || !is_date(&b[..k]) {
            continue;
        }
        if let Some(m) = match_modifier(&s[k..]) {
            let version: String = s[..k]
                .chars()
                .map(|c| if c.is_ascii_digit() { c } else { '.' })
                .collect();
            return Some(apply_modifier(version, &m));
        }
    }
    None
}

/// `VersionParser::normalizeBranch`.
fn normalize_branch(name: &str) -> String {
    let name = name.trim_matches(is_php_trim);
    let s = strip_v(name);
    let b = s.as_bytes();
    let first = digit_run(b, 0);
    if first > 0 {
        let mut parts = vec![&s[..first]];
        let mut pos = first;
        while parts.len() < 4 && pos < b.len() && b[pos] == b'.' {
            let end = match b.get(pos + 1) {
                Some(c) if c.is_ascii_digit() => digit_run(b, pos + 1),
                Some(b'x' | b'X' | b'*') => pos + 2,
                _ => break,
            };
            parts.push(&s[pos..end]);
            pos = end;
        }
        if pos == b.len() {
            let mut version: String = parts.concat().replace(['*', 'X'], "x");
            for _ in parts.len()..4 {
                version.push_str(".x");
            }
            return version.replace('x', "9999999") + "-dev";
        }
    }
    format!("dev-{name}")
}

/// `VersionParser::normalize`; `None` where it throws.
fn normalize(input: &str) -> Option<String> {
    let version = input.trim_matches(is_php_trim);
    let version = strip_alias(version);
    let version = strip_stability_flag(version);
    if matches!(version, "master" | "trunk" | "default") {
        return Some(format!("dev-{version}"));
    }
    if starts_with_ci(version.as_bytes(), "dev-") {
        return Some(format!("dev-{}", &version[4..]));
    }
    let version = strip_build(version);
    if let Some(v) = classical(version).or_else(|| date(version)) {
        return Some(v);
    }
    // `(.*?)[.-]?dev$`, case-insensitive: the shortest prefix.
    let b = version.as_bytes();
    if b.len() >= 3 && b[b.len() - 3..].eq_ignore_ascii_case(b"dev") && !b.contains(&b'\n') {
        let mut prefix = version.len() - 3;
        if prefix > 0 && matches!(b[prefix - 1], b'.' | b'-') {
            prefix -= 1;
        }
        let normalized = normalize_branch(&version[..prefix]);
        if !normalized.contains("dev-") {
            return Some(normalized);
        }
    }
    None
}

/// php-src `php_canonicalize_version`.
fn canonicalize(version: &[u8]) -> Vec<u8> {
    let isdig = |c: u8| c.is_ascii_digit();
    let isndig = |c: u8| !c.is_ascii_digit() && c != b'.';
    let mut q = Vec::with_capacity(version.len() * 2);
    let Some((&first, rest)) = version.split_first() else {
        return q;
    };
    q.push(first);
    let mut lp = first;
    for &p in rest {
        let lq = *q.last().unwrap_or(&0);
        if matches!(p, b'-' | b'_' | b'+') {
            if lq != b'.' {
                q.push(b'.');
            }
        } else if (isndig(lp) && isdig(p)) || (isdig(lp) && isndig(p)) {
            if lq != b'.' {
                q.push(b'.');
            }
            q.push(p);
        } else if !p.is_ascii_alphanumeric() {
            if lq != b'.' {
                q.push(b'.');
            }
        } else {
            q.push(p);
        }
        lp = p;
    }
    q
}

/// php-src `compare_special_version_forms` (prefix match).
fn special_form(form: &[u8]) -> i32 {
    const FORMS: [(&str, i32); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| form.starts_with(name.as_bytes()))
        .map_or(-1, |(_, order)| *order)
}

/// C `strtol` on a string starting with digits: saturates at `LONG_MAX`.
fn strtol(digits: &[u8]) -> i64 {
    let mut n: i64 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add(i64::from(c - b'0'));
    }
    n
}

/// php-src `php_version_compare`.
fn php_version_compare(v1: &[u8], v2: &[u8]) -> Ordering {
    if v1.is_empty() || v2.is_empty() {
        return (!v1.is_empty()).cmp(&!v2.is_empty());
    }
    let c1 = if v1[0] == b'#' {
        v1.to_vec()
    } else {
        canonicalize(v1)
    };
    let c2 = if v2[0] == b'#' {
        v2.to_vec()
    } else {
        canonicalize(v2)
    };
    let dot = |c: &[u8], from: usize| c[from..].iter().position(|&x| x == b'.').map(|p| from + p);
    let (mut p1, mut p2) = (0, 0);
    // C's `n1`/`n2`: "not NULL" at the start.
    let (mut n1, mut n2) = (Some(0), Some(0));
    let mut compare = Ordering::Equal;
    while p1 < c1.len() && p2 < c2.len() && n1.is_some() && n2.is_some() {
        n1 = dot(&c1, p1);
        n2 = dot(&c2, p2);
        let e1 = &c1[p1..n1.unwrap_or(c1.len())];
        let e2 = &c2[p2..n2.unwrap_or(c2.len())];
        let d1 = e1.first().is_some_and(u8::is_ascii_digit);
        let d2 = e2.first().is_some_and(u8::is_ascii_digit);
        compare = match (d1, d2) {
            (true, true) => strtol(e1).cmp(&strtol(e2)),
            (false, false) => special_form(e1).cmp(&special_form(e2)),
            (true, false) => special_form(b"#N#").cmp(&special_form(e2)),
            (false, true) => special_form(e1).cmp(&special_form(b"#N#")),
        };
        if compare.is_ne() {
            break;
        }
        if let Some(n) = n1 {
            p1 = n + 1;
        }
        if let Some(n) = n2 {
            p2 = n + 1;
        }
    }
    if compare.is_eq() {
        if n1.is_some() {
            compare = if c1.get(p1).is_some_and(u8::is_ascii_digit) {
                Ordering::Greater
            } else {
                php_version_compare(&c1[p1.min(c1.len())..], b"#N#")
            };
        } else if n2.is_some() {
            compare = if c2.get(p2).is_some_and(u8::is_ascii_digit) {
                Ordering::Less
            } else {
                php_version_compare(b"#N#", &c2[p2.min(c2.len())..])
            };
        }
    }
    compare
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(v: &str) -> String {
        v.parse::<Version>()
            .unwrap_or_else(|e| panic!("{e}"))
            .normalized
    }

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    // From composer/semver's VersionParserTest::successfulNormalizedVersions.
    #[test]
    fn normalizes_like_composer() {
        for (input, want) in [
            ("1.0.0", "1.0.0.0"),
            ("1.2.3.4", "1.2.3.4"),
            ("1.0.0RC1dev", "1.0.0.0-RC1-dev"),
            ("1.0.0-rC15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0-rc1", "1.0.0.0-RC1"),
            ("1.0.0.pl3-dev", "1.0.0.0-patch3-dev"),
            ("1.0-dev", "1.0.0.0-dev"),
            ("0", "0.0.0.0"),
            ("10.4.13-beta", "10.4.13.0-beta"),
            ("10.4.13beta2", "10.4.13.0-beta2"),
            ("10.4.13beta.2", "10.4.13.0-beta2"),
            ("v1.13.11-beta.0", "1.13.11.0-beta0"),
            ("10.4.13-b", "10.4.13.0-beta"),
            ("10.4.13-b5", "10.4.13.0-beta5"),
            ("v1.0.0", "1.0.0.0"),
            ("v20100102", "20100102"),
            ("2010.01", "2010.01.0.0"),
            ("201001", "201001"),
            ("2010.01.02", "2010.01.02.0"),
            ("2010.01.02", "2010.01.02.0"),
            ("2010-01-02.5", "2010.01.02.5"),
            ("20100102-203040", "20100102.203040"),
            ("20100102203040-10", "20100102203040.10"),
            ("20100102-203040-p1", "20100102.203040-patch1"),
            ("dev-master", "dev-master"),
            ("master", "dev-master"),
            ("dev-trunk", "dev-trunk"),
            ("1.x-dev", "1.9999999.9999999.9999999-dev"),
            ("dev-feature-foo", "dev-feature-foo"),
            ("DEV-FOOBAR", "dev-FOOBAR"),
            ("dev-feature/foo", "dev-feature/foo"),
            ("dev-master as 1.0.0", "dev-master"),
            ("1.0.0+foo@dev", "1.0.0.0"),
            (
                "dev-load-varnish-only-when-used as ^2.0",
                "dev-load-varnish-only-when-used",
            ),
            ("1.0.0-beta.5+foo", "1.0.0.0-beta5"),
            ("1.0.0+foo", "1.0.0.0"),
            ("1.0.0-alpha.3.1+foo", "1.0.0.0-alpha3.1"),
            ("1.0.0-alpha2.1+0123", "1.0.0.0-alpha2.1"),
            ("1.0.0-alpha-2.1-3+0123", "1.0.0.0-alpha2.1-3"),
            ("00.01.03.04", "00.01.03.04"),
            ("000.001.003.004", "000.001.003.004"),
            ("1.0.0-stable", "1.0.0.0"),
            ("1.0-", "1.0.0.0"),
        ] {
            assert_eq!(norm(input), want, "normalize({input:?})");
        }
    }

    #[test]
    fn rejects_like_composer() {
        for bad in [
            "",
            "a",
            "1.0.0-meh",
            "1.0.0.0.0",
            "feature-foo",
            "1.0 .2",
            "dev",
            "20100102.1.1.1.1",
            "0.1e0",
        ] {
            assert!(bad.parse::<Version>().is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn orders_like_comparator() {
        let chain = [
            "dev-main",
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-beta",
            "1.0.0-beta2",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-p1",
            "1.0.1",
            "1.1.x-dev",
            "2.0",
        ];
        for w in chain.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
            assert_eq!(cmp(w[1], w[0]), Ordering::Greater);
        }
        assert_eq!(cmp("v1.0", "1.0.0.0"), Ordering::Equal);
        assert_eq!(cmp("dev-main", "dev-main"), Ordering::Equal);
        assert!(compare("dev-main", "dev-other").is_err());
        assert_eq!(cmp("1.0.0-Stable", "1.0.0-dev"), Ordering::Less);
    }
}
