//! Debian and Ubuntu packages from dpkg's database, `var/lib/dpkg/status`.
//!
//! Why it matters: every Debian-based image (Debian, Ubuntu, and most images built on them)
//! records its installed packages here; matching them against the distribution's advisories by
//! source package and version is how Debian/Ubuntu vulnerabilities are found without false
//! positives from backports.
//!
//! Input: RFC 822-like stanzas ("paragraphs", see deb822(5)) separated by blank lines; a field
//! is `Name: value`, lines starting with a space or tab continue the previous field. Only
//! packages whose `Status` says they are installed count (`install ok installed`, or `hold ok
//! installed` for held ones); `deinstall ok config-files` and the like are leftovers. Example:
//!
//! ```text
//! Package: bash
//! Essential: yes
//! Status: install ok installed
//! Priority: required
//! Section: shells
//! Installed-Size: 7164
//! Maintainer: Matthias Klose <doko@debian.org>
//! Architecture: amd64
//! Multi-Arch: foreign
//! Source: bash (5.2.15-2)
//! Version: 5.2.15-2+b8
//! Description: GNU Bourne Again SHell
//!  Bash is an sh-compatible command language interpreter ...
//! ```
//!
//! `Source:` names the source package, optionally with its version in parentheses when it
//! differs from the binary's (binNMUs such as `+b8`); without it the source package has the
//! binary's name and version.
//!
//! References: deb822(5), dpkg-query(1) (`${source:Package}`, `${source:Version}`),
//! Debian Policy §5.6.1 (Source) and §5.6.12 (Version).

use palisade_model::{Ecosystem, Package};

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct Dpkg;

impl Cataloger for Dpkg {
    fn id(&self) -> &'static str {
        "dpkg"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        file.path == "var/lib/dpkg/status"
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        packages_from_status(content, path, StatusRule::Required)
            .map(Found::packages)
            .map_err(|msg| CatalogError::new(self.id(), path, msg))
    }
}

/// Whether a stanza without a `Status` field counts as installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusRule {
    /// dpkg's own database: no Status, not installed.
    Required,
    /// Distroless `status.d/` files are bare control files (`dpkg-deb --field`), without Status.
    MissingMeansInstalled,
}

/// One stanza: its fields in order, each with the first line of its value (continuation lines
/// are not needed by any caller and are not kept).
#[derive(Debug, Default)]
pub(crate) struct Stanza<'a> {
    fields: Vec<(&'a str, &'a str)>,
}

impl<'a> Stanza<'a> {
    /// A field's value by case-insensitive name.
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

/// Splits deb822 text into stanzas. Tolerates CRLF line ends, whitespace-only separator lines,
/// `#` comment lines and malformed lines (skipped).
pub(crate) fn parse_stanzas(text: &str) -> Vec<Stanza<'_>> {
    let mut out = Vec::new();
    let mut current = Stanza::default();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if !current.fields.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) || line.starts_with('#') {
            // Continuation of the previous field, or a comment.
            continue;
        }
        match line.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => {
                current.fields.push((name.trim(), value.trim()));
            }
            _ => tracing::debug!(line, "skipping malformed deb822 line"),
        }
    }
    if !current.fields.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a `Status:` value (`want flag status`) says the package is installed.
fn is_installed(status: &str) -> bool {
    let mut words = status.split_whitespace();
    matches!(
        (words.next(), words.next(), words.next(), words.next()),
        (
            Some("install" | "hold"),
            Some("ok"),
            Some("installed"),
            None
        )
    )
}

/// `bash (5.2.15-2)` → (`bash`, Some(`5.2.15-2`)); `glibc` → (`glibc`, None).
fn split_source(source: &str) -> (&str, Option<&str>) {
    match source.split_once('(') {
        Some((name, rest)) => {
            let version = rest.split(')').next().unwrap_or("").trim();
            (name.trim(), Some(version).filter(|v| !v.is_empty()))
        }
        None => (source.trim(), None),
    }
}

/// The installed packages in a dpkg status file (or a status.d stanza file).
pub(crate) fn packages_from_status(
    content: &[u8],
    path: &str,
    rule: StatusRule,
) -> Result<Vec<Package>, String> {
    let text = String::from_utf8_lossy(content);
    let stanzas = parse_stanzas(&text);
    if stanzas.is_empty() {
        return Ok(Vec::new());
    }
    if stanzas.iter().all(|s| s.get("Package").is_none()) {
        return Err("no stanza has a Package field: not a dpkg status file".into());
    }
    let mut packages = Vec::new();
    for stanza in &stanzas {
        let (Some(name), Some(version)) = (stanza.get("Package"), stanza.get("Version")) else {
            continue;
        };
        if name.is_empty() || version.is_empty() {
            continue;
        }
        let installed = match stanza.get("Status") {
            Some(status) => is_installed(status),
            None => rule == StatusRule::MissingMeansInstalled,
        };
        if !installed {
            continue;
        }
        let mut pkg = Package::new(name, version, Ecosystem::Deb, path);
        pkg.arch = stanza
            .get("Architecture")
            .filter(|a| !a.is_empty())
            .map(str::to_string);
        let (source_name, source_version) = match stanza.get("Source") {
            Some(source) if !source.is_empty() => split_source(source),
            _ => (name, None),
        };
        pkg.source_name = Some(source_name.to_string());
        pkg.source_version = Some(source_version.unwrap_or(version).to_string());
        packages.push(pkg);
    }
    Ok(packages)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const STATUS: &[u8] = include_bytes!("../../fixtures/dpkg/status");
    const EXPECTED: &str = include_str!("../../fixtures/dpkg/expected.txt");
    const PATH: &str = "var/lib/dpkg/status";

    /// Tab-separated name, version, arch, source name, source version, sorted: the format of
    /// the expected.txt files written by `dpkg-query -W` / `dpkg-deb -W`.
    pub(crate) fn as_lines(packages: &[Package]) -> Vec<String> {
        let mut lines: Vec<String> = packages
            .iter()
            .map(|p| {
                format!(
                    "{}\t{}\t{}\t{}\t{}",
                    p.name,
                    p.version,
                    p.arch.as_deref().unwrap_or(""),
                    p.source_name.as_deref().unwrap_or(""),
                    p.source_version.as_deref().unwrap_or("")
                )
            })
            .collect();
        lines.sort();
        lines
    }

    #[test]
    fn matches_dpkg_query() {
        let found = Dpkg.catalog(PATH, STATUS).unwrap();
        let want: Vec<String> = EXPECTED.lines().map(str::to_string).collect();
        assert_eq!(want.len(), 15);
        assert_eq!(as_lines(&found.packages), want);
        assert!(found.os.is_none());
        for p in &found.packages {
            assert_eq!(p.ecosystem, Ecosystem::Deb);
            assert_eq!(p.kind, palisade_model::PackageKind::Os);
            assert_eq!(p.locations[0].path, PATH);
        }
        // The config-files leftover is not reported; the held package is.
        assert!(!found.packages.iter().any(|p| p.name == "palisade-conf"));
        assert!(found.packages.iter().any(|p| p.name == "gzip"));
    }

    /// Differential test against the real dpkg on the machine's own database:
    /// `cargo test -p palisade-catalog -- --ignored dpkg_query_on_this_machine`.
    #[test]
    fn dpkg_query_on_this_machine() {
        let status = std::fs::read("/var/lib/dpkg/status").unwrap();
        let out = std::process::Command::new("dpkg-query")
            .args([
                "-W",
                "-f",
                "${db:Status-Want} ${db:Status-Eflag} ${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n",
            ])
            .output()
            .unwrap();
        let mut want: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| {
                let (status, rest) = l.split_once('\t')?;
                matches!(status, "install ok installed" | "hold ok installed")
                    .then(|| rest.to_string())
            })
            .collect();
        want.sort();
        let found = Dpkg.catalog(PATH, &status).unwrap();
        assert!(!want.is_empty());
        assert_eq!(as_lines(&found.packages), want);
    }

    #[test]
    fn crlf_and_odd_spacing() {
        let text = "Package: a\r\nStatus: install ok installed\r\nVersion: 1.0\r\n\
                    Description: x\r\n more\r\n .\r\n\r\n \t \r\n\
                    Package: b\r\nStatus: deinstall ok config-files\r\nVersion: 2\r\n\r\n\
                    Package: c\nStatus: hold ok installed\nVersion: 1:3~rc1\nSource: cc (3)\n";
        let p = packages_from_status(text.as_bytes(), PATH, StatusRule::Required).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].name, "a");
        assert_eq!(p[0].version, "1.0");
        assert_eq!(p[0].source_name.as_deref(), Some("a"));
        assert_eq!(p[1].name, "c");
        assert_eq!(p[1].source_name.as_deref(), Some("cc"));
        assert_eq!(p[1].source_version.as_deref(), Some("3"));
    }

    #[test]
    fn status_rules() {
        assert!(is_installed("install ok installed"));
        assert!(is_installed("hold ok installed"));
        assert!(!is_installed("deinstall ok installed"));
        assert!(!is_installed("install reinstreq half-installed"));
        assert!(!is_installed("install ok unpacked"));
        let bare = b"Package: x\nVersion: 1\n";
        assert!(packages_from_status(bare, PATH, StatusRule::Required)
            .unwrap()
            .is_empty());
        assert_eq!(
            packages_from_status(bare, PATH, StatusRule::MissingMeansInstalled)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn garbage_is_an_error_or_empty_never_a_panic() {
        assert!(Dpkg.catalog(PATH, b"").unwrap().packages.is_empty());
        assert!(Dpkg.catalog(PATH, b"\n\n\r\n").unwrap().packages.is_empty());
        assert!(Dpkg
            .catalog(PATH, b"\x00\xff\xfe binary")
            .unwrap()
            .packages
            .is_empty());
        assert!(Dpkg.catalog(PATH, b"Foo: bar\n").is_err());
        for n in 0..STATUS.len().min(3000) {
            let _ = Dpkg.catalog(PATH, &STATUS[..n]);
        }
        assert_eq!(split_source("x (1"), ("x", Some("1")));
        assert_eq!(split_source("x ()"), ("x", None));
    }
}
