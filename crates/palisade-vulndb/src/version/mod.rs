//! Version schemes: how each ecosystem orders its versions. One file per scheme, each
//! differential-tested against the ecosystem's own tool; [`Scheme::compare`] dispatches.

use std::cmp::Ordering;

/// Derives `PartialEq`, `Eq` and `PartialOrd` from a version type's `Ord`: two versions are
/// equal when they order equal, even when written differently (`1.0` and `1.0.0`).
macro_rules! order_by_cmp {
    ($t:ty) => {
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other).is_eq()
            }
        }

        impl Eq for $t {}
    };
}
pub(crate) use order_by_cmp;

pub mod apk;
pub mod composer;
pub mod deb;
pub mod maven;
pub mod nuget;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semver;

/// A version string that its scheme cannot parse. Matching treats it as "no match" and warns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {scheme} version {version:?}: {reason}")]
pub struct VersionError {
    pub scheme: &'static str,
    pub version: String,
    pub reason: String,
}

impl VersionError {
    pub fn new(scheme: &'static str, version: &str, reason: impl Into<String>) -> Self {
        Self {
            scheme,
            version: version.chars().take(200).collect(),
            reason: reason.into(),
        }
    }
}

/// Every version scheme Palisade compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Debian and Ubuntu (`dpkg --compare-versions`).
    Deb,
    /// RPM distributions (`rpmvercmp`, epoch, tilde, caret).
    Rpm,
    /// Alpine (`apk version -t`).
    Apk,
    /// Semantic Versioning 2.0 as npm, Go modules (leading `v`) and crates.io use it.
    Semver,
    /// Python (PEP 440).
    Pep440,
    /// Maven (`ComparableVersion`).
    Maven,
    /// RubyGems (`Gem::Version`).
    RubyGems,
    /// NuGet (SemVer 2 with four-part legacy versions).
    NuGet,
    /// Composer (`Composer\Semver\Comparator`).
    Composer,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Self::Deb => "deb",
            Self::Rpm => "rpm",
            Self::Apk => "apk",
            Self::Semver => "semver",
            Self::Pep440 => "pep440",
            Self::Maven => "maven",
            Self::RubyGems => "rubygems",
            Self::NuGet => "nuget",
            Self::Composer => "composer",
        }
    }

    /// Orders `a` and `b` under this scheme.
    pub fn compare(self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        match self {
            Self::Deb => deb::compare(a, b),
            Self::Rpm => rpm::compare(a, b),
            Self::Apk => apk::compare(a, b),
            Self::Semver => semver::compare(a, b),
            Self::Pep440 => pep440::compare(a, b),
            Self::Maven => maven::compare(a, b),
            Self::RubyGems => rubygems::compare(a, b),
            Self::NuGet => nuget::compare(a, b),
            Self::Composer => composer::compare(a, b),
        }
    }
}
