//! The host check trait and the metadata every host check carries.

use palisade_model::Severity;
use serde::Serialize;

use super::facts::HostFacts;

/// The benchmark a host recommendation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Benchmark {
    /// CIS Docker Benchmark v1.6.0 (the numbering docker-bench-security uses).
    CisDocker,
    /// CIS Kubernetes Benchmark (node and control-plane configuration).
    CisKubernetes,
}

/// Everything a user needs to understand and fix a finding of this check.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct HostCheckMeta {
    /// `PAL-DKR-NNN` (Docker) or `PAL-KNODE-NNN` (Kubernetes node), stable forever.
    pub id: &'static str,
    /// The check's file name: the registry test matches files to checks.
    pub slug: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub benchmark: Benchmark,
    /// The recommendation's number in its benchmark (`5.5`).
    pub cis: &'static str,
    /// CIS profile level (1 or 2).
    pub level: u8,
    pub rationale: &'static str,
    pub remediation: &'static str,
    /// What to set: a daemon.json snippet, a `docker run` flag, a command.
    pub fix: &'static str,
    pub references: &'static [&'static str],
}

/// What kind of thing a host finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum SubjectKind {
    DockerDaemon,
    File,
    Container,
    Image,
    Kubelet,
    StaticPod,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DockerDaemon => "DockerDaemon",
            Self::File => "File",
            Self::Container => "Container",
            Self::Image => "Image",
            Self::Kubelet => "Kubelet",
            Self::StaticPod => "StaticPod",
        }
    }
}

/// One problem a host check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostViolation {
    pub kind: SubjectKind,
    pub name: String,
    pub message: String,
    /// Where the evidence is: a file (`/etc/docker/daemon.json`, `/proc/PID/cmdline`) or the
    /// API object (`container/NAME`, `image/REF`).
    pub file: String,
    pub line: u32,
    /// The offending setting (`/HostConfig/Privileged`, `icc`).
    pub pointer: String,
}

impl HostViolation {
    pub fn new(
        kind: SubjectKind,
        name: impl Into<String>,
        message: impl Into<String>,
        (file, line): (String, u32),
        pointer: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            name: name.into(),
            message: message.into(),
            file,
            line,
            pointer: pointer.into(),
        }
    }
}

/// A host check: a pure function over the collected facts.
pub trait HostCheck: Sync + Send {
    fn meta(&self) -> &'static HostCheckMeta;
    fn check(&self, facts: &HostFacts, out: &mut Vec<HostViolation>);
}

/// A recommendation that cannot be decided by a program: listed in every report, never scored.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ManualRecommendation {
    pub benchmark: Benchmark,
    pub cis: &'static str,
    pub title: &'static str,
    /// Why a program cannot decide it, and what to review.
    pub review: &'static str,
}
