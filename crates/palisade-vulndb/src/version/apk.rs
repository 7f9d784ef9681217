//! Alpine package versions, ordered exactly as apk-tools' `apk_version_compare` (apk-tools 3,
//! `src/version.c`) orders them.
//!
//! Syntax: `digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]`, where `letter` is one lower
//! case ASCII letter, `suffix` is one of `alpha beta pre rc` (pre-releases) or
//! `cvs svn git hg p` (post-releases), `hash` is lower case hex (a commit hash) and `N` the
//! package revision. Examples: `1.2.3`, `1.2.3a-r1`, `3.1_p16`, `0.1_alpha_pre2`,
//! `1.0_git20240101-r0`, `1.0~1234abcd-r2`.
//!
//! Ordering: both strings are read token by token; tokens of the same kind compare as numbers
//! (the first number, suffix numbers, the revision), as letters, as suffix ranks
//! (`alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p`) or, for the commit hash and
//! for a dotted number where either side has a leading zero (`1.06`), as byte strings. At the
//! first difference in token *kind*, a pre-release suffix is older, and otherwise the side whose
//! token comes later in `digit < letter < suffix < suffix-number < hash < revision < end` is
//! older: `1.0_rc1 < 1.0 < 1.0-r1 < 1.0_p1 < 1.0a < 1.0.1`.
//!
//! Like apk, we also compare versions apk calls invalid (seen in the real secdb:
//! `1.0.4.-r0`, `6.6.2p1-r0`, `2.7.16-33`): the comparison proceeds until the first invalid
//! token, which then sorts below everything else, exactly as apk does (use [`validate`] to
//! tell). We reject only what cannot be ordered meaningfully: empty input, input longer than
//! 256 bytes, whitespace, control or non-ASCII characters, and versions that do not start with
//! a digit (apk would call all of those equal to each other).
//!
//! Note: apk-tools 2.x (Alpine up to 3.22) used an older tokenizer that differs on leading zeros
//! and some invalid versions; apk-tools 3's rules are the ones implemented here.
//!
//! References: apk-tools `src/version.c` and `test/unit/version.data` (read for the rules; our
//! own vectors are in `tests/differential_apk.rs`), <https://wiki.alpinelinux.org/wiki/APKBUILD_Reference#pkgver>.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::VersionError;

const SCHEME: &str = "apk";

/// Longest version string we parse; longer input is rejected rather than compared.
pub const MAX_LEN: usize = 256;

/// An Alpine version string; `Eq`/`Ord` follow `apk_version_compare`.
#[derive(Debug, Clone)]
pub struct ApkVersion(String);

impl ApkVersion {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether apk-tools itself considers the version valid (`apk_version_validate`).
    pub fn is_valid(&self) -> bool {
        validate(&self.0)
    }
}

impl FromStr for ApkVersion {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, VersionError> {
        let err = |reason: &str| VersionError::new(SCHEME, input, reason);
        if input.is_empty() {
            return Err(err("empty version"));
        }
        if input.len() > MAX_LEN {
            return Err(err("longer than 256 bytes"));
        }
        if let Some(c) = input.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(err(&format!("invalid character {c:?}")));
        }
        if !input.as_bytes()[0].is_ascii_digit() {
            return Err(err("does not start with a digit"));
        }
        Ok(Self(input.to_owned()))
    }
}

impl fmt::Display for ApkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        apk_version_compare(self.0.as_bytes(), other.0.as_bytes())
    }
}

super::order_by_cmp!(ApkVersion);

/// Orders two Alpine versions as `apk version -t` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let a: ApkVersion = a.parse()?;
    let b: ApkVersion = b.parse()?;
    Ok(a.cmp(&b))
}

/// `apk_version_validate`: whether apk-tools accepts `v` as a well-formed version.
pub fn validate(v: &str) -> bool {
    if v.len() > MAX_LEN {
        return false;
    }
    let mut t = Tokenizer::new(v.as_bytes());
    while t.token < Token::End {
        t.next();
    }
    t.token == Token::End
}

/// Token kinds, in apk's order (the order matters for the comparison).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffix ranks as apk numbers them; `NONE` (5) separates pre- from post-release suffixes.
const SUFFIX_NONE: u8 = 5;

fn suffix_value(s: &[u8]) -> Option<u8> {
    Some(match s {
        b"alpha" => 1,
        b"beta" => 2,
        b"pre" => 3,
        b"rc" => 4,
        b"cvs" => 6,
        b"svn" => 7,
        b"git" => 8,
        b"hg" => 9,
        b"p" => 10,
        _ => return None,
    })
}

/// apk's `token_state` plus the unread rest of the string.
struct Tokenizer<'a> {
    rest: &'a [u8],
    token: Token,
    suffix: u8,
    number: u64,
    value: &'a [u8],
}

impl<'a> Tokenizer<'a> {
    /// `token_first`: the leading number.
    fn new(s: &'a [u8]) -> Self {
        let mut t = Self {
            rest: s,
            token: Token::InitialDigit,
            suffix: 0,
            number: 0,
            value: &[],
        };
        t.parse_digits();
        t
    }

    /// `token_parse_digits` (`apk_blob_pull_uint`, which wraps around on overflow).
    fn parse_digits(&mut self) {
        let n = self.rest.iter().take_while(|c| c.is_ascii_digit()).count();
        self.value = &self.rest[..n];
        self.number = self.value.iter().fold(0u64, |acc, &c| {
            acc.wrapping_mul(10).wrapping_add(u64::from(c - b'0'))
        });
        self.rest = &self.rest[n..];
        if n == 0 {
            self.token = Token::Invalid;
        }
    }

    /// `token_next`.
    fn next(&mut self) {
        let Some(&c) = self.rest.first() else {
            self.token = Token::End;
            return;
        };
        match c {
            b'a'..=b'z' => {
                if self.token > Token::Digit {
                    return self.invalid();
                }
                self.value = &self.rest[..1];
                self.token = Token::Letter;
                self.rest = &self.rest[1..];
            }
            b'.' | b'0'..=b'9' => {
                if c == b'.' {
                    if self.token > Token::Digit {
                        return self.invalid();
                    }
                    self.rest = &self.rest[1..];
                }
                self.token = match self.token {
                    Token::InitialDigit | Token::Digit => Token::Digit,
                    Token::Suffix => Token::SuffixNo,
                    _ => return self.invalid(),
                };
                self.parse_digits();
            }
            b'_' => {
                if self.token > Token::SuffixNo {
                    return self.invalid();
                }
                self.rest = &self.rest[1..];
                let n = self
                    .rest
                    .iter()
                    .take_while(|c| c.is_ascii_lowercase())
                    .count();
                self.value = &self.rest[..n];
                self.rest = &self.rest[n..];
                match suffix_value(self.value) {
                    Some(s) => self.suffix = s,
                    None => return self.invalid(),
                }
                self.token = Token::Suffix;
            }
            b'~' => {
                if self.token >= Token::CommitHash {
                    return self.invalid();
                }
                self.rest = &self.rest[1..];
                let n = self
                    .rest
                    .iter()
                    .take_while(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
                    .count();
                if n == 0 {
                    return self.invalid();
                }
                self.value = &self.rest[..n];
                self.rest = &self.rest[n..];
                self.token = Token::CommitHash;
            }
            b'-' => {
                if self.token >= Token::RevisionNo || !self.rest.starts_with(b"-r") {
                    return self.invalid();
                }
                self.rest = &self.rest[2..];
                self.token = Token::RevisionNo;
                self.parse_digits();
            }
            _ => self.invalid(),
        }
    }

    fn invalid(&mut self) {
        self.token = Token::Invalid;
    }
}

/// `apk_blob_sort`: bytes, then length.
fn blob_sort(a: &[u8], b: &[u8]) -> Ordering {
    a.cmp(b)
}

/// `token_cmp` for two tokens of the same kind.
fn token_cmp(a: &Tokenizer<'_>, b: &Tokenizer<'_>) -> Ordering {
    match a.token {
        Token::Digit if a.value[0] == b'0' || b.value[0] == b'0' => blob_sort(a.value, b.value),
        Token::Digit | Token::InitialDigit | Token::SuffixNo | Token::RevisionNo => {
            a.number.cmp(&b.number)
        }
        Token::Letter => a.value[0].cmp(&b.value[0]),
        Token::Suffix => a.suffix.cmp(&b.suffix),
        _ => blob_sort(a.value, b.value),
    }
}

/// `apk_version_compare` (not fuzzy).
fn apk_version_compare(a: &[u8], b: &[u8]) -> Ordering {
    let mut ta = Tokenizer::new(a);
    let mut tb = Tokenizer::new(b);
    while ta.token == tb.token && ta.token < Token::End {
        let r = token_cmp(&ta, &tb);
        if r != Ordering::Equal {
            return r;
        }
        ta.next();
        tb.next();
    }
    if ta.token == tb.token {
        return Ordering::Equal;
    }
    if ta.token == Token::Suffix && ta.suffix < SUFFIX_NONE {
        return Ordering::Less;
    }
    if tb.token == Token::Suffix && tb.suffix < SUFFIX_NONE {
        return Ordering::Greater;
    }
    // The side that reached a later kind of token (or the end, or an invalid token) is older.
    tb.token.cmp(&ta.token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn tricky_orderings() {
        let ordered = [
            "0.9",
            "1.0_alpha",
            "1.0_alpha1",
            "1.0_alpha2_pre1",
            "1.0_alpha2",
            "1.0_beta",
            "1.0_pre1",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0-r10",
            "1.0~1234",
            "1.0~1234-r1",
            "1.0~2345",
            "1.0_cvs",
            "1.0_svn",
            "1.0_git20240101",
            "1.0_hg",
            "1.0_p1",
            "1.0_p2",
            "1.0a",
            "1.0b",
            "1.0.1",
            "1.1",
            "2",
        ];
        for (i, a) in ordered.iter().enumerate() {
            for (j, b) in ordered.iter().enumerate() {
                assert_eq!(cmp(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn leading_zeros_and_invalid_tails() {
        use Ordering::*;
        let cases = [
            ("8.2.0", "8.2.001", Less),
            ("8.2.0015", "8.2.002", Less),
            ("1.06", "1.6", Less),
            ("006", "6", Equal),
            ("1.0", "1.0bc", Less),
            ("1.0bc", "1.0bd", Equal),
            ("1.0.4.-r0", "1.0.4", Less),
            ("2.7.16-33", "2.7.16", Less),
            ("6.6.2p1-r0", "6.6.2p-r0", Less),
            ("23_foo", "4_beta", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn validation() {
        for ok in [
            "1.2",
            "0.1_pre2",
            "0.1_pre2~1234abcd",
            "0.1_alpha1_pre2",
            "1.0-r0",
        ] {
            assert!(validate(ok), "{ok} is valid");
        }
        for bad in [
            "",
            "0.1bc",
            "0.1a1",
            "0.1_foobar",
            "0.1-r",
            "0.1-r2-r3",
            ".1",
            "a",
            "0.1_",
        ] {
            assert!(!validate(bad), "{bad} is invalid");
        }
        for rejected in ["", "a", ".1", "-r1", "1.0 ", "1.0\u{e9}"] {
            assert!(rejected.parse::<ApkVersion>().is_err(), "{rejected:?}");
        }
        assert!("1".repeat(300).parse::<ApkVersion>().is_err());
        // Huge numbers wrap as in apk and never panic.
        assert!(compare(&"9".repeat(100), "1").is_ok());
    }
}
