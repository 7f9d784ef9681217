//! Operating-system detection from os-release and the older distribution release files.
//!
//! Why it matters: the OS decides which advisory feed, release and version scheme OS packages
//! are matched against (Debian 12 vs Ubuntu 22.04 vs RHEL 9). Getting it wrong means every OS
//! finding is wrong.
//!
//! Input, in order of authority (see [`precedence`]; the scanner keeps the most authoritative
//! file it finds):
//! 1. `etc/os-release`, then `usr/lib/os-release`: shell-style `KEY=value` assignments, values
//!    optionally in double or single quotes, backslash escapes, `#` comments. Example:
//!
//!    ```text
//!    PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
//!    NAME="Debian GNU/Linux"
//!    VERSION_ID="12"
//!    VERSION="12 (bookworm)"
//!    VERSION_CODENAME=bookworm
//!    ID=debian
//!    ```
//! 2. distribution files for images without os-release: `etc/alpine-release` (`3.19.1`),
//!    `etc/centos-release`, `etc/redhat-release`, `etc/system-release` (`CentOS Linux release
//!    7.9.2009 (Core)`, `Amazon Linux release 2 (Karoo)`), `etc/SuSE-release`,
//!    `etc/lsb-release` (`DISTRIB_ID=Ubuntu` ...), and last `etc/debian_version` (`12.4`, or
//!    `bookworm/sid` on Ubuntu, hence its low rank).
//!
//! The family comes from `ID` through [`OsFamily::from_os_release_id`], falling back to each
//! `ID_LIKE` entry. Google's distroless images say `PRETTY_NAME="Distroless"` with `ID=debian`:
//! they stay in the Debian family (their packages are Debian's) and only the pretty name shows
//! Distroless; their codename comes from `VERSION="Debian GNU/Linux 12 (bookworm)"`.
//!
//! References: os-release(5) <https://www.freedesktop.org/software/systemd/man/os-release.html>,
//! lsb_release(1); the tests compare the parser with what a POSIX shell reads.

use palisade_model::{OsFamily, OsInfo};

use crate::{CatalogError, Cataloger, FileMeta, Found};

pub struct OsRelease;

/// Every file this cataloger reads, most authoritative first.
const FILES: [&str; 9] = [
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/centos-release",
    "etc/SuSE-release",
    "etc/redhat-release",
    "etc/system-release",
    "etc/lsb-release",
    "etc/debian_version",
];

/// How authoritative an OS file is: lower wins when an image has several. Files this
/// cataloger does not read rank last (`u8::MAX`).
pub fn precedence(path: &str) -> u8 {
    let path = path.trim_start_matches('/');
    match path {
        "etc/os-release" => 0,
        "usr/lib/os-release" => 1,
        // Distribution-specific files name exactly one distribution.
        "etc/alpine-release" | "etc/centos-release" | "etc/SuSE-release" => 2,
        // Also present, with the same content, on derivatives (Rocky, Alma, Amazon).
        "etc/redhat-release" | "etc/system-release" => 3,
        "etc/lsb-release" => 4,
        // Says `bookworm/sid` on Ubuntu: only trusted when nothing else is there.
        "etc/debian_version" => 5,
        _ => u8::MAX,
    }
}

impl Cataloger for OsRelease {
    fn id(&self) -> &'static str {
        "os-release"
    }

    fn version(&self) -> u32 {
        2
    }

    fn wants(&self, file: &FileMeta<'_>) -> bool {
        FILES.contains(&file.path)
    }

    fn max_size(&self) -> u64 {
        // Release files are a few hundred bytes.
        64 * 1024
    }

    fn catalog(&self, path: &str, content: &[u8]) -> Result<Found, CatalogError> {
        let text = String::from_utf8_lossy(content);
        let info = match path {
            "etc/os-release" | "usr/lib/os-release" => from_os_release(&text, path),
            "etc/alpine-release" => from_alpine_release(&text, path),
            "etc/centos-release" | "etc/redhat-release" | "etc/system-release" => {
                from_redhat_release(&text, path)
            }
            "etc/SuSE-release" => from_suse_release(&text, path),
            "etc/lsb-release" => from_lsb_release(&text, path),
            "etc/debian_version" => from_debian_version(&text, path),
            _ => Err("not an OS release file".to_string()),
        }
        .map_err(|msg| CatalogError::new(self.id(), path, msg))?;
        Ok(Found {
            os: Some(info),
            ..Found::default()
        })
    }
}

/// Parses os-release (or lsb-release) text into its assignments, in file order. Lines that are
/// not assignments are skipped; values are unquoted and unescaped the way a POSIX shell would.
pub fn parse_assignments(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let valid_key = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_key {
            continue;
        }
        if let Some(value) = shell_value(raw) {
            out.push((key.to_string(), value));
        }
    }
    out
}

/// Unquotes one shell word: `"..."` (with `\"`, `\\`, `\$`, `` \` `` escapes), `'...'`
/// (literal), bare text (with backslash escapes), and concatenations of these. Stops at the
/// first unquoted blank, after which only a `#` comment may follow. `None` when a quote is
/// not closed.
fn shell_value(raw: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => match chars.next()? {
                        e @ ('"' | '\\' | '$' | '`') => out.push(e),
                        // Backslash-newline cannot occur within one line; any other escape
                        // keeps its backslash, as in the shell.
                        other => {
                            out.push('\\');
                            out.push(other);
                        }
                    },
                    other => out.push(other),
                }
            },
            '\'' => loop {
                match chars.next()? {
                    '\'' => break,
                    other => out.push(other),
                }
            },
            '\\' => {
                if let Some(e) = chars.next() {
                    out.push(e);
                }
            }
            c if c.is_whitespace() => break,
            other => out.push(other),
        }
    }
    Some(out)
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    // The last assignment wins, as when a shell sources the file.
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// The family of `id`, else of the first `ID_LIKE` entry that has one.
fn family(id: &str, id_like: Option<&str>) -> OsFamily {
    let primary = OsFamily::from_os_release_id(id);
    if primary != OsFamily::Other {
        return primary;
    }
    id_like
        .unwrap_or("")
        .split_whitespace()
        .map(OsFamily::from_os_release_id)
        .find(|f| *f != OsFamily::Other)
        .unwrap_or(OsFamily::Other)
}

/// The word in parentheses at the end of `VERSION`, as Debian writes it: `12 (bookworm)`,
/// `Debian GNU/Linux 12 (bookworm)`. Only a single lowercase word counts (Ubuntu's
/// `(Jammy Jellyfish)` is not a codename).
fn codename_from_version(version: &str) -> Option<String> {
    let inner = version.rsplit_once('(')?.1.split_once(')')?.0.trim();
    (!inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
    .then(|| inner.to_string())
}

fn from_os_release(text: &str, path: &str) -> Result<OsInfo, String> {
    let pairs = parse_assignments(text);
    if pairs.is_empty() {
        return Err("no KEY=value assignments".into());
    }
    let id = get(&pairs, "ID").unwrap_or("linux").to_ascii_lowercase();
    let version_id = get(&pairs, "VERSION_ID").unwrap_or("").to_string();
    let fam = family(&id, get(&pairs, "ID_LIKE"));
    let codename = get(&pairs, "VERSION_CODENAME")
        .or_else(|| get(&pairs, "UBUNTU_CODENAME"))
        .map(str::to_string)
        .or_else(|| {
            (fam == OsFamily::Debian)
                .then(|| get(&pairs, "VERSION").and_then(codename_from_version))
                .flatten()
        });
    let pretty_name = get(&pairs, "PRETTY_NAME")
        .map(str::to_string)
        .unwrap_or_else(|| {
            let name = get(&pairs, "NAME").unwrap_or("Linux");
            match get(&pairs, "VERSION") {
                Some(v) => format!("{name} {v}"),
                None => name.to_string(),
            }
        });
    Ok(OsInfo {
        family: fam,
        id,
        version_id,
        codename,
        pretty_name,
        source_path: path.to_string(),
    })
}

fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty())
}

fn from_alpine_release(text: &str, path: &str) -> Result<OsInfo, String> {
    let version = first_line(text)
        .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        .ok_or("no version")?;
    let mut parts = version.split('.');
    let branch = match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) => format!("v{major}.{minor}"),
        _ => version.to_string(),
    };
    Ok(OsInfo {
        family: OsFamily::Alpine,
        id: "alpine".into(),
        version_id: version.to_string(),
        codename: None,
        pretty_name: format!("Alpine Linux {branch}"),
        source_path: path.to_string(),
    })
}

/// `CentOS Linux release 7.9.2009 (Core)`, `Red Hat Enterprise Linux Server release 7.9
/// (Maipo)`, `Amazon Linux release 2 (Karoo)`, `Amazon Linux AMI release 2018.03`.
fn from_redhat_release(text: &str, path: &str) -> Result<OsInfo, String> {
    let line = first_line(text).ok_or("empty file")?;
    let (name, rest) = line
        .split_once(" release ")
        .ok_or("no ` release ` in the first line")?;
    let version = rest.split_whitespace().next().unwrap_or("").to_string();
    let lower = name.to_ascii_lowercase();
    let id = if lower.contains("red hat") {
        "rhel"
    } else if lower.contains("centos") {
        "centos"
    } else if lower.contains("rocky") {
        "rocky"
    } else if lower.contains("alma") {
        "almalinux"
    } else if lower.contains("fedora") {
        "fedora"
    } else if lower.contains("amazon") {
        "amzn"
    } else if lower.contains("oracle") {
        "ol"
    } else {
        return Err(format!("unknown distribution {name:?}"));
    };
    let version_id = match id {
        // os-release carries the major.minor (RHEL `7.9`), CentOS only the major (`7`).
        "centos" => version.split('.').next().unwrap_or("").to_string(),
        "rhel" | "rocky" | "almalinux" | "ol" => {
            version.split('.').take(2).collect::<Vec<_>>().join(".")
        }
        _ => version,
    };
    Ok(OsInfo {
        family: OsFamily::from_os_release_id(id),
        id: id.to_string(),
        version_id,
        codename: None,
        pretty_name: line.to_string(),
        source_path: path.to_string(),
    })
}

/// ```text
/// SUSE Linux Enterprise Server 12 (x86_64)
/// VERSION = 12
/// PATCHLEVEL = 5
/// ```
fn from_suse_release(text: &str, path: &str) -> Result<OsInfo, String> {
    let title = first_line(text).ok_or("empty file")?;
    let field = |key: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    let version = field("VERSION").ok_or("no VERSION line")?;
    let version_id = match field("PATCHLEVEL").filter(|p| p != "0") {
        Some(patch) => format!("{version}.{patch}"),
        None => version,
    };
    let opensuse = title.to_ascii_lowercase().contains("opensuse");
    let pretty_name = title
        .rsplit_once(" (")
        .map_or(title, |(name, _)| name)
        .to_string();
    Ok(OsInfo {
        family: OsFamily::Suse,
        id: if opensuse { "opensuse" } else { "sles" }.into(),
        version_id,
        codename: field("CODENAME"),
        pretty_name,
        source_path: path.to_string(),
    })
}

fn from_lsb_release(text: &str, path: &str) -> Result<OsInfo, String> {
    let pairs = parse_assignments(text);
    let id = get(&pairs, "DISTRIB_ID")
        .ok_or("no DISTRIB_ID")?
        .to_ascii_lowercase();
    let version_id = get(&pairs, "DISTRIB_RELEASE").unwrap_or("").to_string();
    let pretty_name = get(&pairs, "DISTRIB_DESCRIPTION")
        .map(str::to_string)
        .unwrap_or_else(|| format!("{id} {version_id}"));
    Ok(OsInfo {
        family: OsFamily::from_os_release_id(&id),
        id,
        version_id,
        codename: get(&pairs, "DISTRIB_CODENAME").map(str::to_string),
        pretty_name,
        source_path: path.to_string(),
    })
}

/// `12.4` → Debian 12; `bookworm/sid` (testing, or Ubuntu) → no version, codename bookworm.
fn from_debian_version(text: &str, path: &str) -> Result<OsInfo, String> {
    let line = first_line(text).ok_or("empty file")?;
    let (version_id, codename) = if line.starts_with(|c: char| c.is_ascii_digit()) {
        (line.split('.').next().unwrap_or(line).to_string(), None)
    } else {
        let name = line.split('/').next().unwrap_or(line);
        (
            String::new(),
            Some(name.to_string()).filter(|n| !n.is_empty()),
        )
    };
    let pretty_name = if version_id.is_empty() {
        format!("Debian GNU/Linux {line}")
    } else {
        format!("Debian GNU/Linux {version_id}")
    };
    Ok(OsInfo {
        family: OsFamily::Debian,
        id: "debian".into(),
        version_id,
        codename,
        pretty_name,
        source_path: path.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(path: &str, content: &[u8]) -> OsInfo {
        let found = OsRelease.catalog(path, content).unwrap();
        assert!(found.packages.is_empty());
        found.os.unwrap()
    }

    fn check(
        info: &OsInfo,
        family: OsFamily,
        id: &str,
        version_id: &str,
        codename: Option<&str>,
        pretty: &str,
    ) {
        assert_eq!(info.family, family, "{info:?}");
        assert_eq!(info.id, id);
        assert_eq!(info.version_id, version_id);
        assert_eq!(info.codename.as_deref(), codename);
        assert_eq!(info.pretty_name, pretty);
    }

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!("../../fixtures/os-release/", $name)).as_slice()
        };
    }

    #[test]
    fn distributions() {
        use OsFamily::*;
        let p = "etc/os-release";
        type Case<'a> = (
            &'a [u8],
            OsFamily,
            &'a str,
            &'a str,
            Option<&'a str>,
            &'a str,
        );
        let cases: [Case<'_>; 12] = [
            (
                fixture!("debian-12"),
                Debian,
                "debian",
                "12",
                Some("bookworm"),
                "Debian GNU/Linux 12 (bookworm)",
            ),
            (
                fixture!("ubuntu-22.04"),
                Ubuntu,
                "ubuntu",
                "22.04",
                Some("jammy"),
                "Ubuntu 22.04.4 LTS",
            ),
            (
                fixture!("alpine-3.19"),
                Alpine,
                "alpine",
                "3.19.1",
                None,
                "Alpine Linux v3.19",
            ),
            (
                fixture!("ubi-9"),
                Rhel,
                "rhel",
                "9.3",
                None,
                "Red Hat Enterprise Linux 9.3 (Plow)",
            ),
            (
                fixture!("rocky-9"),
                Rocky,
                "rocky",
                "9.3",
                None,
                "Rocky Linux 9.3 (Blue Onyx)",
            ),
            (
                fixture!("alma-9"),
                Alma,
                "almalinux",
                "9.3",
                None,
                "AlmaLinux 9.3 (Shamrock Pampas Cat)",
            ),
            (
                fixture!("amazonlinux-2"),
                Amazon,
                "amzn",
                "2",
                None,
                "Amazon Linux 2",
            ),
            (
                fixture!("amazonlinux-2023"),
                Amazon,
                "amzn",
                "2023",
                None,
                "Amazon Linux 2023.3.20240131",
            ),
            (
                fixture!("sles-15.5"),
                Suse,
                "sles",
                "15.5",
                None,
                "SUSE Linux Enterprise Server 15 SP5",
            ),
            (
                fixture!("opensuse-leap-15.5"),
                Suse,
                "opensuse-leap",
                "15.5",
                None,
                "openSUSE Leap 15.5",
            ),
            (
                fixture!("opensuse-tumbleweed"),
                Suse,
                "opensuse-tumbleweed",
                "20240801",
                None,
                "openSUSE Tumbleweed",
            ),
            (
                fixture!("distroless-debian12"),
                Debian,
                "debian",
                "12",
                Some("bookworm"),
                "Distroless",
            ),
        ];
        for (content, family, id, version, codename, pretty) in cases {
            let info = detect(p, content);
            check(&info, family, id, version, codename, pretty);
            assert_eq!(info.source_path, p);
        }
    }

    /// The parser reads every fixture as a POSIX shell sourcing it does (dash's output, recorded
    /// by fixtures/os-release/make.sh): same ID, VERSION_ID, PRETTY_NAME, VERSION and NAME.
    #[test]
    fn agrees_with_the_shell() {
        let expected = include_str!("../../fixtures/os-release/expected.txt");
        let files: [(&str, &[u8]); 13] = [
            ("alma-9", fixture!("alma-9")),
            ("alpine-3.19", fixture!("alpine-3.19")),
            ("amazonlinux-2", fixture!("amazonlinux-2")),
            ("amazonlinux-2023", fixture!("amazonlinux-2023")),
            ("debian-12", fixture!("debian-12")),
            ("distroless-debian12", fixture!("distroless-debian12")),
            ("opensuse-leap-15.5", fixture!("opensuse-leap-15.5")),
            ("opensuse-tumbleweed", fixture!("opensuse-tumbleweed")),
            ("quoting", fixture!("quoting")),
            ("rocky-9", fixture!("rocky-9")),
            ("sles-15.5", fixture!("sles-15.5")),
            ("ubi-9", fixture!("ubi-9")),
            ("ubuntu-22.04", fixture!("ubuntu-22.04")),
        ];
        let mut lines = expected.lines();
        for (name, content) in files {
            let pairs = parse_assignments(&String::from_utf8_lossy(content));
            for key in ["ID", "VERSION_ID", "PRETTY_NAME", "VERSION", "NAME"] {
                let want = lines.next().unwrap();
                let got = format!("{name}\t{key}\t{}", get(&pairs, key).unwrap_or_default());
                assert_eq!(got, want);
            }
        }
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn quoting_escapes_and_comments() {
        let text = "# comment\n\
                    ID=\"my\\\"os\"\n\
                    NAME='single \"quoted\" $x'\n\
                    VERSION=bare\\ word\n\
                    PRETTY_NAME=\"a\"'b'c  # trailing comment\n\
                    BROKEN=\"unterminated\n\
                    9BAD=x\n\
                    not an assignment\n\
                    ID_LIKE=\"debian\"\n";
        let pairs = parse_assignments(text);
        assert_eq!(get(&pairs, "ID"), Some("my\"os"));
        assert_eq!(get(&pairs, "NAME"), Some("single \"quoted\" $x"));
        assert_eq!(get(&pairs, "VERSION"), Some("bare word"));
        assert_eq!(get(&pairs, "PRETTY_NAME"), Some("abc"));
        assert_eq!(get(&pairs, "BROKEN"), None);
        assert_eq!(get(&pairs, "9BAD"), None);
        let info = detect("usr/lib/os-release", text.as_bytes());
        // Unknown ID: the family comes from ID_LIKE.
        assert_eq!(info.family, OsFamily::Debian);
        assert_eq!(info.source_path, "usr/lib/os-release");
    }

    #[test]
    fn release_files() {
        use OsFamily::*;
        type Case<'a> = (
            &'a str,
            &'a str,
            OsFamily,
            &'a str,
            &'a str,
            Option<&'a str>,
        );
        let cases: [Case<'_>; 12] = [
            ("etc/alpine-release", "3.19.1\n", Alpine, "alpine", "3.19.1", None),
            ("etc/redhat-release", "Red Hat Enterprise Linux release 8.9 (Ootpa)\n", Rhel, "rhel", "8.9", None),
            ("etc/redhat-release", "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n", Rhel, "rhel", "7.9", None),
            ("etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n", Centos, "centos", "7", None),
            ("etc/redhat-release", "Rocky Linux release 8.9 (Green Obsidian)\n", Rocky, "rocky", "8.9", None),
            ("etc/redhat-release", "AlmaLinux release 9.3 (Shamrock Pampas Cat)\n", Alma, "almalinux", "9.3", None),
            ("etc/system-release", "Amazon Linux release 2 (Karoo)\n", Amazon, "amzn", "2", None),
            ("etc/system-release", "Amazon Linux AMI release 2018.03\n", Amazon, "amzn", "2018.03", None),
            ("etc/SuSE-release", "SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 5\n# This file is deprecated\n", Suse, "sles", "12.5", None),
            ("etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=20.04\nDISTRIB_CODENAME=focal\nDISTRIB_DESCRIPTION=\"Ubuntu 20.04.6 LTS\"\n", Ubuntu, "ubuntu", "20.04", Some("focal")),
            ("etc/debian_version", "12.4\n", Debian, "debian", "12", None),
            ("etc/debian_version", "bookworm/sid\n", Debian, "debian", "", Some("bookworm")),
        ];
        for (path, text, family, id, version, codename) in cases {
            let info = detect(path, text.as_bytes());
            assert_eq!(
                (
                    info.family,
                    info.id.as_str(),
                    info.version_id.as_str(),
                    info.codename.as_deref()
                ),
                (family, id, version, codename),
                "{path}: {text}"
            );
            assert!(!info.pretty_name.is_empty());
        }
        assert_eq!(
            detect("etc/alpine-release", b"3.19.1\n").pretty_name,
            "Alpine Linux v3.19"
        );
    }

    #[test]
    fn precedence_orders_the_files() {
        let order: Vec<u8> = FILES.iter().map(|f| precedence(f)).collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
        assert_eq!(precedence("etc/os-release"), 0);
        assert!(precedence("etc/os-release") < precedence("usr/lib/os-release"));
        assert!(precedence("usr/lib/os-release") < precedence("etc/alpine-release"));
        assert!(precedence("etc/lsb-release") < precedence("etc/debian_version"));
        assert_eq!(precedence("etc/passwd"), u8::MAX);
        for f in FILES {
            assert!(OsRelease.wants(&FileMeta {
                path: f,
                size: 10,
                mode: 0o644
            }));
        }
        assert!(!OsRelease.wants(&FileMeta {
            path: "etc/os-release.d/x",
            size: 10,
            mode: 0o644
        }));
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        for path in FILES {
            for input in [
                &b""[..],
                b"\n\n",
                b"\xff\xfe\x00",
                b"=\n=\"",
                b"release",
                b"(",
                b"VERSION = ",
            ] {
                let _ = OsRelease.catalog(path, input);
            }
            assert!(OsRelease.catalog(path, b"").is_err(), "{path}");
        }
    }
}
