//! The check trait and the metadata every check carries.

use palisade_k8s::{Inventory, Object, PodTemplate};
use palisade_model::Severity;
use serde::Serialize;

/// Pod Security Standards level a control belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PssLevel {
    Baseline,
    Restricted,
}

/// What a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    PodSecurity,
    Rbac,
    Exposure,
    HostAccess,
    Hygiene,
    SupplyChain,
    Network,
    Admission,
    /// Host configuration: the Docker daemon, its files, images and containers, Kubernetes nodes.
    Host,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PodSecurity => "pod-security",
            Self::Rbac => "rbac",
            Self::Exposure => "exposure",
            Self::HostAccess => "host-access",
            Self::Hygiene => "hygiene",
            Self::SupplyChain => "supply-chain",
            Self::Network => "network",
            Self::Admission => "admission",
            Self::Host => "host",
        }
    }
}

/// The frameworks a check maps to.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Frameworks {
    /// Pod Security Standards level (`None`: not a PSS control).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pss: Option<PssLevel>,
    /// The PSS control's name as the pod-security admission code calls it (`hostNamespaces`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pss_control: Option<&'static str>,
    /// CIS Kubernetes Benchmark recommendations (e.g. `5.2.2`).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub cis: &'static [&'static str],
    /// Sections of the NSA/CISA Kubernetes Hardening Guide.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub nsa: &'static [&'static str],
    /// MITRE ATT&CK technique ids (Containers matrix).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub mitre: &'static [&'static str],
}

impl Frameworks {
    pub const NONE: Frameworks = Frameworks {
        pss: None,
        pss_control: None,
        cis: &[],
        nsa: &[],
        mitre: &[],
    };
}

/// Everything a user needs to understand and fix a finding of this check.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CheckMeta {
    /// `PAL-K8S-NNN`, stable forever.
    pub id: &'static str,
    /// The check's file name (`host_namespaces`): the registry test matches files to checks.
    pub slug: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub category: Category,
    pub frameworks: Frameworks,
    /// Why it matters.
    pub rationale: &'static str,
    /// What to change.
    pub remediation: &'static str,
    /// A YAML snippet to merge at the finding's `patch_at` pointer.
    pub patch: &'static str,
    /// PSS controls this one replaces when the restricted profile is in force.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub overrides: &'static [&'static str],
    pub references: &'static [&'static str],
}

/// Settings some checks need (allow-lists).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Registries images may come from (`registry.example.com`, `ghcr.io/org`); empty: the
    /// registry check does not run.
    pub allowed_registries: Vec<String>,
}

/// What a check looks at besides its subject.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub settings: &'a Settings,
}

/// One problem a check found, at a place in the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub message: String,
    /// JSON pointer of the offending field (its line is reported).
    pub pointer: String,
    /// JSON pointer where the check's patch applies (defaults to `pointer`'s parent).
    pub patch_at: Option<String>,
}

impl Violation {
    pub fn new(message: impl Into<String>, pointer: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            pointer: pointer.into(),
            patch_at: None,
        }
    }

    pub fn patch_at(mut self, pointer: impl Into<String>) -> Self {
        self.patch_at = Some(pointer.into());
        self
    }
}

/// A posture check. Implement `check_template` for checks on pod templates (run once per
/// workload, on the owner), `check_object` for checks on any other object.
pub trait Check: Sync + Send {
    fn meta(&self) -> &'static CheckMeta;

    fn check_template(
        &self,
        _template: &PodTemplate<'_>,
        _ctx: &Context<'_>,
        _out: &mut Vec<Violation>,
    ) {
    }

    fn check_object(&self, _object: &Object, _ctx: &Context<'_>, _out: &mut Vec<Violation>) {}
}
