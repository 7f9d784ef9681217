//! Python package versions (PEP 440), ordered exactly as `packaging.version.Version` orders them.
//!
//! Syntax: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with PEP 440's normalisation: case is
//! ignored, a leading `v` and surrounding whitespace are dropped, `alpha`/`beta`/`c`/`pre`/
//! `preview` mean `a`/`b`/`rc`/`rc`/`rc`, `rev`/`r`/`-N` mean `.postN`, `.`/`-`/`_` separators
//! and missing numbers (`1.0rc` = `1.0rc0`) are accepted.
//!
//! Ordering: epoch, then the release compared with trailing zeros ignored (`1.0 == 1.0.0`), then
//! `.devN` of the release < pre-releases (`a < b < rc`, each with its own `.post`/`.dev`) <
//! the release < `.postN` releases; finally the local version, segment by segment, numeric
//! segments above alphanumeric ones, and a version without local part below any with one.
//!
//! Examples: `1.0.dev1 < 1.0a1.dev1 < 1.0a1 < 1.0b2.post3 < 1.0rc1 < 1.0 < 1.0+abc < 1.0+1
//! < 1.0.post1.dev1 < 1.0.post1 < 1!0.1`, `1.0RC1 == 1.0rc1 == v1.0-rc.1`.
//!
//! Parsing and ordering come from the `pep440_rs` crate (the parser uv uses); this module caps
//! the input length and maps errors. One documented difference from `packaging`: a number that
//! does not fit in 64 bits (release, pre/post/dev or local segment) is rejected here, where
//! Python accepts arbitrary integers.
//!
//! References: <https://packaging.python.org/en/latest/specifications/version-specifiers/>,
//! PEP 440 <https://peps.python.org/pep-0440/>, `packaging/version.py` (`_cmpkey`).
//! Differential-tested against `packaging.version.Version` (`tests/differential_pep440.rs`).

use std::cmp::Ordering;

use pep440_rs::LocalSegment;
pub use pep440_rs::Version as Pep440Version;

use super::VersionError;

const SCHEME: &str = "pep440";

/// Longest version string we parse; longer input is rejected rather than compared.
pub const MAX_LEN: usize = 256;

/// Parses one PEP 440 version (normalising as `packaging` does).
pub fn parse(input: &str) -> Result<Pep440Version, VersionError> {
    if input.len() > MAX_LEN {
        return Err(VersionError::new(SCHEME, input, "longer than 256 bytes"));
    }
    let v = input
        .parse::<Pep440Version>()
        .map_err(|e| VersionError::new(SCHEME, input, e.to_string()))?;
    // pep440_rs keeps an all-digit local segment beyond u64 as a string, which would sort it
    // below letters; Python compares it as a (big) number. Refuse rather than misorder.
    if v.local()
        .iter()
        .any(|s| matches!(s, LocalSegment::String(s) if s.bytes().all(|b| b.is_ascii_digit())))
    {
        return Err(VersionError::new(
            SCHEME,
            input,
            "local version number does not fit in 64 bits",
        ));
    }
    Ok(v)
}

/// Orders two PEP 440 versions as `packaging.version.Version` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(parse(a)?.cmp(&parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        compare(a, b).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn pep440_order() {
        // The ordering example of PEP 440 and packaging's test suite, strictly increasing.
        let ordered = [
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
            "1!0.1",
        ];
        for w in ordered.windows(2) {
            assert_eq!(cmp(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
            assert_eq!(cmp(w[1], w[0]), Ordering::Greater, "{} > {}", w[1], w[0]);
        }
    }

    #[test]
    fn normalisation() {
        for (a, b) in [
            ("1.0RC1", "1.0rc1"),
            ("v1.0", "1.0"),
            ("1.0", "1.0.0"),
            ("1.0c1", "1.0rc1"),
            ("1.0-rc.1", "1.0rc1"),
            ("1.0alpha", "1.0a0"),
            ("1.0-1", "1.0.post1"),
            ("1.0.rev1", "1.0.post1"),
            ("1.0dev", "1.0.dev0"),
            ("0!1.0", "1.0"),
            (" 1.0 ", "1.0"),
            ("1.0+ABC", "1.0+abc"),
            ("1.0+1-2_3", "1.0+1.2.3"),
            ("01.00", "1"),
        ] {
            assert_eq!(cmp(a, b), Ordering::Equal, "{a} == {b}");
        }
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            "",
            "1.0-",
            "abc",
            "1.0.*",
            "1..0",
            "1.0+",
            "1.0+abc..1",
            "1.0 1",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(parse(&"1.".repeat(200)).is_err());
        // Numbers beyond 64 bits (Python would accept them) are refused, never misordered.
        assert!(parse("99999999999999999999").is_err());
        assert!(parse("1.0+99999999999999999999").is_err());
        assert!(parse("1.0rc99999999999999999999").is_err());
        assert_eq!(cmp("1.0+18446744073709551615", "1.0+a"), Ordering::Greater);
    }
}
