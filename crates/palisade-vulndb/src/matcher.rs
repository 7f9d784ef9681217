//! Does an OSV `affected` entry cover a given version? OSV's evaluation rules, exactly:
//!
//! - A version is affected when it is listed in `versions`, or falls in any range.
//! - Within a range the events are ordered by version (`introduced: "0"` is below all); the
//!   version is affected if the last event at or below it is an `introduced`, with `fixed` and
//!   `limit` exclusive upper bounds and `last_affected` an inclusive one.
//! - `GIT` ranges hold commit hashes and never match a package version.
//!
//! Reference: <https://ossf.github.io/osv-schema/#evaluation>.

use std::cmp::Ordering;

use crate::osv::{Affected, Event, Range, RangeKind};
use crate::version::{Scheme, VersionError};

/// Whether `version` is affected. An unparsable version or bound is an error (the caller
/// reports no match and warns).
pub fn is_affected(
    affected: &Affected,
    scheme: Scheme,
    version: &str,
) -> Result<bool, VersionError> {
    if affected.versions.iter().any(|v| v == version) {
        return Ok(true);
    }
    for range in &affected.ranges {
        let range_scheme = match range.kind {
            RangeKind::Ecosystem => scheme,
            RangeKind::Semver => Scheme::Semver,
            RangeKind::Git | RangeKind::Unknown => continue,
        };
        if in_range(range, range_scheme, version)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The lowest `fixed` version above `version` in the ranges that affect it, if any.
pub fn fixed_version(affected: &Affected, scheme: Scheme, version: &str) -> Option<String> {
    let mut best: Option<String> = None;
    for range in &affected.ranges {
        let range_scheme = match range.kind {
            RangeKind::Ecosystem => scheme,
            RangeKind::Semver => Scheme::Semver,
            RangeKind::Git | RangeKind::Unknown => continue,
        };
        for fixed in range.events.iter().filter_map(|e| e.fixed.as_deref()) {
            let above = compare(range_scheme, fixed, version).ok() == Some(Ordering::Greater);
            let lower = best
                .as_deref()
                .is_none_or(|b| compare(range_scheme, fixed, b).ok() == Some(Ordering::Less));
            if above && lower {
                best = Some(fixed.to_string());
            }
        }
    }
    best
}

fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionError> {
    // OSV's Go and SemVer data drop the leading `v` that Go module versions carry.
    let strip = |v: &'_ str| -> String {
        if scheme == Scheme::Semver {
            v.strip_prefix('v').unwrap_or(v).to_string()
        } else {
            v.to_string()
        }
    };
    scheme.compare(&strip(a), &strip(b))
}

fn in_range(range: &Range, scheme: Scheme, version: &str) -> Result<bool, VersionError> {
    let mut events: Vec<(&str, Kind)> = range.events.iter().filter_map(event_kind).collect();
    // "0" (introduced at the beginning of time) sorts first; the rest by version.
    let mut sort_error = None;
    events.sort_by(|a, b| match (a.0, b.0) {
        ("0", "0") => Ordering::Equal,
        ("0", _) => Ordering::Less,
        (_, "0") => Ordering::Greater,
        (x, y) => compare(scheme, x, y).unwrap_or_else(|e| {
            sort_error.get_or_insert(e);
            Ordering::Equal
        }),
    });
    if let Some(e) = sort_error {
        return Err(e);
    }
    let mut affected = false;
    for (bound, kind) in events {
        let order = if bound == "0" {
            Ordering::Greater
        } else {
            compare(scheme, version, bound)?
        };
        match kind {
            Kind::Introduced if order != Ordering::Less => affected = true,
            Kind::Fixed | Kind::Limit if order != Ordering::Less => affected = false,
            Kind::LastAffected if order == Ordering::Greater => affected = false,
            _ => {}
        }
    }
    Ok(affected)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

fn event_kind(e: &Event) -> Option<(&str, Kind)> {
    if let Some(v) = &e.introduced {
        Some((v, Kind::Introduced))
    } else if let Some(v) = &e.fixed {
        Some((v, Kind::Fixed))
    } else if let Some(v) = &e.last_affected {
        Some((v, Kind::LastAffected))
    } else {
        e.limit.as_deref().map(|v| (v, Kind::Limit))
    }
}

/// The version scheme of an OSV ecosystem (`PyPI`, `Debian:12`, `Alpine:v3.19`, ...).
pub fn scheme_for(ecosystem: &str) -> Option<Scheme> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    Some(match base {
        "PyPI" => Scheme::Pep440,
        "npm" | "Go" | "crates.io" | "Hex" | "Pub" => Scheme::Semver,
        "Maven" => Scheme::Maven,
        "RubyGems" => Scheme::RubyGems,
        "NuGet" => Scheme::NuGet,
        "Packagist" => Scheme::Composer,
        "Debian" | "Ubuntu" => Scheme::Deb,
        "Alpine" => Scheme::Apk,
        "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Mageia" => Scheme::Rpm,
        _ => return None,
    })
}

/// A package name as the ecosystem compares it: PEP 503 for PyPI (case-insensitive, runs of
/// `-`, `_`, `.` equal), as written elsewhere.
pub fn normalize_name(ecosystem: &str, name: &str) -> String {
    if ecosystem == "PyPI" {
        let mut out = String::with_capacity(name.len());
        let mut separator = false;
        for c in name.chars() {
            if matches!(c, '-' | '_' | '.') {
                separator = true;
            } else {
                if separator && !out.is_empty() {
                    out.push('-');
                }
                separator = false;
                out.push(c.to_ascii_lowercase());
            }
        }
        out
    } else {
        name.to_string()
    }
}

/// One advisory that affects a package version, with the fix to upgrade to if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match<'a> {
    pub record: &'a crate::osv::Record,
    /// The `affected` entry that matched (it carries the distribution's verdict, if any).
    pub affected: &'a crate::osv::Affected,
    pub fixed: Option<String>,
}

/// Every non-withdrawn record in `records` that affects `name` at `version` in `ecosystem`.
/// Versions the scheme cannot parse match nothing (and are logged).
pub fn matching<'a>(
    records: impl IntoIterator<Item = &'a crate::osv::Record>,
    ecosystem: &str,
    name: &str,
    version: &str,
) -> Vec<Match<'a>> {
    let Some(scheme) = scheme_for(ecosystem) else {
        return Vec::new();
    };
    let wanted = normalize_name(ecosystem, name);
    let mut out = Vec::new();
    for record in records.into_iter().filter(|r| r.withdrawn.is_none()) {
        for affected in &record.affected {
            let Some(package) = &affected.package else {
                continue;
            };
            if crate::coordinates::store_ecosystem(&package.ecosystem) != ecosystem
                || normalize_name(ecosystem, &package.name) != wanted
            {
                continue;
            }
            match is_affected(affected, scheme, version) {
                Ok(true) => {
                    out.push(Match {
                        record,
                        affected,
                        fixed: fixed_version(affected, scheme, version),
                    });
                    break;
                }
                Ok(false) => {}
                Err(e) => tracing::warn!("{}: {e}", record.id),
            }
        }
    }
    out
}
