//! Where to look a package up: the advisory ecosystem, name and version each publisher uses.
//!
//! - Language packages: the OSV ecosystem and the name as that ecosystem compares it (PEP 503
//!   for PyPI, `group:artifact` for Maven, the module path for Go, scoped names for npm).
//! - Debian and Ubuntu: the **source** package and its version, in the release's ecosystem
//!   (`Debian:12`, `Ubuntu:22.04`): distributions publish fixes per source package, and
//!   backported fixes keep the upstream version, so matching binaries by upstream version
//!   would be wrong.
//! - Alpine: the origin package in the branch (`Alpine:v3.19`).
//! - RPM distributions: the package in the major release (`Rocky Linux:9`, `AlmaLinux:9`,
//!   `Red Hat:9`), under both its binary and its source name.
//! - openSUSE: `openSUSE:Leap 15.5`, `openSUSE:Tumbleweed`, as OSV names them.
//! - SUSE Linux Enterprise: the code stream, `SUSE:Linux Enterprise 15 SP5`. SUSE files an
//!   advisory under every *product* that ships the package — mostly the module
//!   (`SUSE:Linux Enterprise Module for Basesystem 15 SP5`), also `...Server 15 SP5`,
//!   `...Server for SAP Applications 15 SP5`, `...15 SP5-LTSS` — and os-release names none of
//!   those modules or support phases. All of them build the same packages of one service
//!   pack, so records of every `Linux Enterprise <product> <major>[ SP<n>][-<phase>]` are
//!   stored under the code stream and an SLES/SLED/BCI image is looked up there. SLE Micro
//!   (`Linux Enterprise Micro 5.5`) has its own numbering and is kept apart.
//!
//! OSV ecosystems are reduced to these same keys when records are indexed
//! ([`store_ecosystem`]), so lookups and records meet on one spelling.

use palisade_model::{Ecosystem, OsFamily, OsInfo, Package};

use crate::matcher::normalize_name;

/// One lookup: records are searched by `(ecosystem, normalize_name(ecosystem, name))` and
/// `version` is checked against their ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub ecosystem: String,
    pub name: String,
    pub version: String,
}

/// The lookups for one package (none when its distribution or ecosystem has no data source).
pub fn queries(package: &Package, os: Option<&OsInfo>) -> Vec<Query> {
    let query = |ecosystem: String, name: &str, version: &str| Query {
        name: normalize_name(&ecosystem, name),
        ecosystem,
        version: version.to_string(),
    };
    match package.ecosystem {
        Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm => {
            let Some(ecosystem) = os.and_then(os_ecosystem) else {
                return Vec::new();
            };
            let source = package.source_name.as_deref().unwrap_or(&package.name);
            match package.ecosystem {
                Ecosystem::Deb => {
                    let version = package
                        .source_version
                        .as_deref()
                        .unwrap_or(&package.version);
                    vec![query(ecosystem, source, version)]
                }
                Ecosystem::Apk => vec![query(ecosystem, source, &package.version)],
                _ => {
                    let mut out = vec![query(ecosystem.clone(), &package.name, &package.version)];
                    if source != package.name {
                        out.push(query(ecosystem, source, &package.version));
                    }
                    out
                }
            }
        }
        Ecosystem::Maven => match &package.namespace {
            Some(group) => vec![query(
                "Maven".into(),
                &format!("{group}:{}", package.name),
                &package.version,
            )],
            None => Vec::new(),
        },
        other => vec![query(
            osv_ecosystem(other).to_string(),
            &package.name,
            &package.version,
        )],
    }
}

/// The advisory ecosystem of an operating system release, or `None` when no feed covers it.
pub fn os_ecosystem(os: &OsInfo) -> Option<String> {
    let version = os.version_id.trim();
    let major = version.split('.').next().unwrap_or("");
    let major_minor = || version.split('.').take(2).collect::<Vec<_>>().join(".");
    Some(match os.family {
        OsFamily::Debian => {
            let release = if major.is_empty() {
                crate::feed::debian_tracker::release_number(os.codename.as_deref()?)?.to_string()
            } else {
                major.to_string()
            };
            format!("Debian:{release}")
        }
        OsFamily::Ubuntu if !version.is_empty() => format!("Ubuntu:{version}"),
        OsFamily::Alpine if !version.is_empty() => format!("Alpine:v{}", major_minor()),
        OsFamily::Rocky if !major.is_empty() => format!("Rocky Linux:{major}"),
        OsFamily::Alma if !major.is_empty() => format!("AlmaLinux:{major}"),
        OsFamily::Rhel if !major.is_empty() => format!("Red Hat:{major}"),
        OsFamily::Suse => return suse_ecosystem(&os.id, version),
        _ => return None,
    })
}

/// The lookup key of a SUSE or openSUSE release, from its os-release `ID` and `VERSION_ID`.
fn suse_ecosystem(id: &str, version: &str) -> Option<String> {
    let mut parts = version.split('.');
    let major = parts.next().filter(|m| is_number(m));
    let minor = parts.next();
    match id.trim().to_ascii_lowercase().as_str() {
        "opensuse-tumbleweed" | "opensuse-slowroll" => Some("openSUSE:Tumbleweed".into()),
        "opensuse-leap" | "opensuse" if major.is_some() => Some(format!("openSUSE:Leap {version}")),
        "sles" | "sled" | "sles_sap" | "sle_hpc" | "sle-rt" => {
            let sp = minor.filter(|m| is_number(m)).filter(|m| *m != "0");
            Some(sle_stream(major?, sp))
        }
        _ => None,
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `SUSE:Linux Enterprise 15 SP5` (`SUSE:Linux Enterprise 15` for a release without a
/// service pack).
fn sle_stream(major: &str, sp: Option<&str>) -> String {
    match sp {
        Some(sp) => format!("SUSE:Linux Enterprise {major} SP{sp}"),
        None => format!("SUSE:Linux Enterprise {major}"),
    }
}

/// The code stream of a SUSE product name (the part of an OSV ecosystem after `SUSE:`):
/// `Linux Enterprise Module for Basesystem 15 SP5` and `Linux Enterprise Server 15 SP5-LTSS`
/// → `SUSE:Linux Enterprise 15 SP5`; `Linux Enterprise Server 15-LTSS` → `SUSE:Linux
/// Enterprise 15`. `None` for other products (SLE Micro, SUSE Manager, ...).
fn sle_product_stream(product: &str) -> Option<String> {
    let rest = product.strip_prefix("Linux Enterprise ")?;
    if rest.starts_with("Micro") {
        return None;
    }
    let words: Vec<&str> = rest.split(' ').collect();
    // Without a support-phase suffix (`-LTSS`, `-ESPOS`, `-BCL`, ...).
    let last = words.last()?;
    let last = last.split_once('-').map_or(*last, |(v, _)| v);
    if let Some(sp) = last.strip_prefix("SP").filter(|sp| is_number(sp)) {
        let major = words.len().checked_sub(2).and_then(|i| words.get(i))?;
        let major = Some(*major).filter(|m| is_number(m))?;
        return Some(sle_stream(major, Some(sp).filter(|sp| *sp != "0")));
    }
    is_number(last).then(|| sle_stream(last, None))
}

/// The OSV ecosystem name of one of our ecosystems (for OS packages, the base distribution
/// name: looking them up needs the release too, see [`os_ecosystem`]).
pub fn osv_ecosystem(ecosystem: Ecosystem) -> &'static str {
    match ecosystem {
        Ecosystem::PyPI => "PyPI",
        Ecosystem::Npm => "npm",
        Ecosystem::Go => "Go",
        Ecosystem::Cargo => "crates.io",
        Ecosystem::RubyGems => "RubyGems",
        Ecosystem::Packagist => "Packagist",
        Ecosystem::NuGet => "NuGet",
        Ecosystem::Maven => "Maven",
        Ecosystem::Deb => "Debian",
        Ecosystem::Apk => "Alpine",
        Ecosystem::Rpm => "Red Hat",
    }
}

/// An OSV record's ecosystem reduced to the key lookups use: language ecosystems lose any
/// suffix (`Maven:https://repo...` → `Maven`), distributions keep their release
/// (`Debian:12`, `Alpine:v3.19`), Ubuntu drops `:LTS`, Red Hat keeps only the major release
/// (`Red Hat:enterprise_linux:9::appstream` → `Red Hat:9`), SUSE Linux Enterprise products
/// reduce to their code stream (see the module documentation). `None` for ecosystems we never
/// query (they are still stored, under their full name, for completeness).
pub fn store_ecosystem(ecosystem: &str) -> String {
    let mut parts = ecosystem.split(':');
    let base = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    match base {
        "Debian" | "Alpine" | "Rocky Linux" | "AlmaLinux" => match rest.first() {
            Some(release) => format!("{base}:{release}"),
            None => base.to_string(),
        },
        "Ubuntu" => {
            let rest: Vec<&str> = rest.into_iter().filter(|p| *p != "LTS").collect();
            format!("Ubuntu:{}", rest.join(":"))
        }
        "Red Hat" => {
            let major = rest
                .iter()
                .filter_map(|p| p.split('.').next())
                .find(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            match major {
                Some(m) => format!("Red Hat:{m}"),
                None => ecosystem.to_string(),
            }
        }
        "SUSE" => sle_product_stream(&rest.join(":")).unwrap_or_else(|| ecosystem.to_string()),
        "PyPI" | "npm" | "Go" | "crates.io" | "RubyGems" | "Packagist" | "NuGet" | "Maven"
        | "Hex" | "Pub" => base.to_string(),
        _ => ecosystem.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(family: OsFamily, version: &str, codename: Option<&str>) -> OsInfo {
        OsInfo {
            family,
            id: String::new(),
            version_id: version.into(),
            codename: codename.map(String::from),
            pretty_name: String::new(),
            source_path: String::new(),
        }
    }

    #[test]
    fn debian_packages_are_looked_up_by_source_package_and_release() {
        let mut p = Package::new("libssl3", "3.0.15-1~deb12u1+b1", Ecosystem::Deb, "x");
        p.source_name = Some("openssl".into());
        p.source_version = Some("3.0.15-1~deb12u1".into());
        let q = queries(&p, Some(&os(OsFamily::Debian, "12", Some("bookworm"))));
        assert_eq!(
            q,
            vec![Query {
                ecosystem: "Debian:12".into(),
                name: "openssl".into(),
                version: "3.0.15-1~deb12u1".into()
            }]
        );
        // Testing has no VERSION_ID: the codename decides.
        let q = queries(&p, Some(&os(OsFamily::Debian, "", Some("trixie"))));
        assert_eq!(q[0].ecosystem, "Debian:13");
        assert!(queries(&p, None).is_empty());
    }

    #[test]
    fn alpine_branch_and_pypi_names() {
        let mut p = Package::new("libcrypto3", "3.1.4-r1", Ecosystem::Apk, "x");
        p.source_name = Some("openssl".into());
        let q = queries(&p, Some(&os(OsFamily::Alpine, "3.19.1", None)));
        assert_eq!(q[0].ecosystem, "Alpine:v3.19");
        assert_eq!(q[0].name, "openssl");
        let p = Package::new("PyYAML", "5.3", Ecosystem::PyPI, "x");
        assert_eq!(queries(&p, None)[0].name, "pyyaml");
    }

    #[test]
    fn ecosystems_reduce_to_lookup_keys() {
        assert_eq!(store_ecosystem("Debian:12"), "Debian:12");
        assert_eq!(store_ecosystem("Ubuntu:22.04:LTS"), "Ubuntu:22.04");
        assert_eq!(
            store_ecosystem("Red Hat:enterprise_linux:9::appstream"),
            "Red Hat:9"
        );
        assert_eq!(store_ecosystem("PyPI"), "PyPI");
        assert_eq!(store_ecosystem("Alpine:v3.19"), "Alpine:v3.19");
    }

    fn suse(id: &str, version: &str) -> OsInfo {
        OsInfo {
            id: id.into(),
            ..os(OsFamily::Suse, version, None)
        }
    }

    #[test]
    fn suse_releases_and_products_meet_on_one_key() {
        // Every product of one SLE service pack is one code stream; an SLES or BCI image
        // (ID "sles") is looked up there.
        for product in [
            "SUSE:Linux Enterprise Server 15 SP5",
            "SUSE:Linux Enterprise Module for Basesystem 15 SP5",
            "SUSE:Linux Enterprise Server for SAP Applications 15 SP5",
            "SUSE:Linux Enterprise Server 15 SP5-LTSS",
            "SUSE:Linux Enterprise High Performance Computing 15 SP5-ESPOS",
        ] {
            assert_eq!(
                store_ecosystem(product),
                "SUSE:Linux Enterprise 15 SP5",
                "{product}"
            );
        }
        let sles = suse("sles", "15.5");
        assert_eq!(
            os_ecosystem(&sles).as_deref(),
            Some("SUSE:Linux Enterprise 15 SP5")
        );
        assert_eq!(
            store_ecosystem("SUSE:Linux Enterprise Server 15-LTSS"),
            "SUSE:Linux Enterprise 15"
        );
        assert_eq!(
            os_ecosystem(&suse("sles", "15")).as_deref(),
            Some("SUSE:Linux Enterprise 15")
        );
        assert_eq!(
            store_ecosystem("SUSE:Linux Enterprise Desktop 12 SP5"),
            "SUSE:Linux Enterprise 12 SP5"
        );
        // Other service packs and other products stay apart.
        assert_ne!(
            store_ecosystem("SUSE:Linux Enterprise Server 15 SP4"),
            "SUSE:Linux Enterprise 15 SP5"
        );
        assert_eq!(
            store_ecosystem("SUSE:Linux Enterprise Micro 5.5"),
            "SUSE:Linux Enterprise Micro 5.5"
        );
        assert_eq!(
            store_ecosystem("SUSE:Manager Server 4.3"),
            "SUSE:Manager Server 4.3"
        );
        // openSUSE as OSV spells it.
        assert_eq!(
            os_ecosystem(&suse("opensuse-leap", "15.5")).as_deref(),
            Some("openSUSE:Leap 15.5")
        );
        assert_eq!(store_ecosystem("openSUSE:Leap 15.5"), "openSUSE:Leap 15.5");
        assert_eq!(
            os_ecosystem(&suse("opensuse-tumbleweed", "20240801")).as_deref(),
            Some("openSUSE:Tumbleweed")
        );
        assert_eq!(os_ecosystem(&suse("sle-micro", "5.5")), None);
        assert_eq!(os_ecosystem(&suse("sles", "")), None);
    }

    #[test]
    fn suse_packages_are_looked_up_by_binary_and_source_name() {
        let mut p = Package::new(
            "libopenssl1_1",
            "1.1.1l-150500.17.25.1",
            Ecosystem::Rpm,
            "x",
        );
        p.source_name = Some("openssl-1_1".into());
        let q = queries(&p, Some(&suse("sles", "15.5")));
        let keys: Vec<(&str, &str)> = q
            .iter()
            .map(|q| (q.ecosystem.as_str(), q.name.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("SUSE:Linux Enterprise 15 SP5", "libopenssl1_1"),
                ("SUSE:Linux Enterprise 15 SP5", "openssl-1_1")
            ]
        );
        assert_eq!(
            crate::matcher::scheme_for(&q[0].ecosystem),
            Some(crate::version::Scheme::Rpm)
        );
    }
}
