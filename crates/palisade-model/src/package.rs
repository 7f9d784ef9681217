use serde::{Deserialize, Serialize};

/// Package ecosystems; the names follow the OSV ecosystem names where OSV has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ecosystem {
    #[serde(rename = "deb")]
    Deb,
    #[serde(rename = "apk")]
    Apk,
    #[serde(rename = "rpm")]
    Rpm,
    PyPI,
    #[serde(rename = "npm")]
    Npm,
    Go,
    Maven,
    #[serde(rename = "crates.io")]
    Cargo,
    RubyGems,
    Packagist,
    NuGet,
}

impl Ecosystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deb => "deb",
            Self::Apk => "apk",
            Self::Rpm => "rpm",
            Self::PyPI => "PyPI",
            Self::Npm => "npm",
            Self::Go => "Go",
            Self::Maven => "Maven",
            Self::Cargo => "crates.io",
            Self::RubyGems => "RubyGems",
            Self::Packagist => "Packagist",
            Self::NuGet => "NuGet",
        }
    }

    pub fn is_os(self) -> bool {
        matches!(self, Self::Deb | Self::Apk | Self::Rpm)
    }
}

impl std::fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What role a package plays; SBOM writers map it to their component types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageKind {
    /// Installed by the operating system's package manager.
    Os,
    /// A library pulled in by an application or installed into a language runtime.
    #[default]
    Library,
    /// The main module of a binary (Go main module, Rust root crate, a war's own artifact).
    Application,
    /// A language runtime compiled into a binary (the Go toolchain version).
    Runtime,
}

/// Where a package was found: the file that proves it and the layer that holds that file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    /// Path inside the image, without a leading slash (`var/lib/dpkg/status`).
    /// Packages inside archives use `!` between the archive and the inner path (`app.war!WEB-INF/lib/x.jar`).
    pub path: String,
    /// The layer's diff id (`sha256:` of its uncompressed tar); `None` for a plain directory.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub layer: Option<String>,
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    /// The version exactly as the package database records it (rpm: `[epoch:]version-release`).
    pub version: String,
    pub ecosystem: Ecosystem,
    #[serde(default)]
    pub kind: PackageKind,
    /// Package URL; filled in once the operating system is known (OS packages carry the distro).
    #[serde(default)]
    pub purl: String,
    /// Source package (dpkg `Source:`, apk origin, rpm source rpm name), when it differs or is recorded.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub arch: Option<String>,
    /// Licences as recorded by the package (SPDX expressions where the package gives one).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub licenses: Vec<String>,
    /// Maven group id, npm scope included in `name`; Go module path is the `name`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub namespace: Option<String>,
    pub locations: Vec<Location>,
    /// Diff id of the layer that first brought this package in, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub introduced_by: Option<String>,
}

impl Package {
    /// A package with the required fields and everything else empty.
    pub fn new(
        name: impl Into<String>,
        version: impl Into<String>,
        ecosystem: Ecosystem,
        path: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            ecosystem,
            kind: if ecosystem.is_os() {
                PackageKind::Os
            } else {
                PackageKind::Library
            },
            purl: String::new(),
            source_name: None,
            source_version: None,
            arch: None,
            licenses: Vec::new(),
            namespace: None,
            locations: vec![Location {
                path: path.into(),
                layer: None,
            }],
            introduced_by: None,
        }
    }

    /// The identity used to de-duplicate packages found twice (same name, version, ecosystem).
    pub fn identity(&self) -> (Ecosystem, &str, &str, &str) {
        (
            self.ecosystem,
            self.namespace.as_deref().unwrap_or(""),
            &self.name,
            &self.version,
        )
    }
}
