use serde::{Deserialize, Serialize};

/// The operating-system family decides which advisory feed and version scheme apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OsFamily {
    Debian,
    Ubuntu,
    Alpine,
    Rhel,
    Rocky,
    Alma,
    Centos,
    Fedora,
    Amazon,
    Suse,
    Wolfi,
    Distroless,
    Other,
}

impl OsFamily {
    /// Maps an os-release `ID` (or `ID_LIKE` entry) to a family.
    pub fn from_os_release_id(id: &str) -> Self {
        match id.trim().to_ascii_lowercase().as_str() {
            "debian" => Self::Debian,
            "ubuntu" => Self::Ubuntu,
            "alpine" => Self::Alpine,
            "rhel" | "redhat" => Self::Rhel,
            "rocky" => Self::Rocky,
            "almalinux" | "alma" => Self::Alma,
            "centos" => Self::Centos,
            "fedora" => Self::Fedora,
            "amzn" | "amazon" => Self::Amazon,
            "sles" | "sle_hpc" | "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" | "suse" => {
                Self::Suse
            }
            "wolfi" | "chainguard" => Self::Wolfi,
            _ => Self::Other,
        }
    }
}

/// The operating system an image is built on, as its os-release (or older release file) says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    pub family: OsFamily,
    /// The os-release `ID`, e.g. `debian`, `alpine`, `rhel`.
    pub id: String,
    /// The os-release `VERSION_ID` (e.g. `12`, `3.19.1`, `9.3`); empty when the distribution has none.
    pub version_id: String,
    /// `VERSION_CODENAME` where given, e.g. `bookworm`.
    pub codename: Option<String>,
    /// `PRETTY_NAME`, for people.
    pub pretty_name: String,
    /// The file the information came from.
    pub source_path: String,
}
