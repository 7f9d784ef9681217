//! Framework views: which checks belong to a framework, grouped into its controls, and a
//! compliance summary (controls passed / failed, score).
//!
//! - `pss-baseline`: the 12 baseline controls.
//! - `pss-restricted`: baseline minus the controls a restricted one replaces (`overrides`),
//!   plus the 7 restricted controls — the pod-security admission's own composition.
//! - `cis`: CIS Kubernetes Benchmark recommendations; `nsa`: NSA/CISA Kubernetes Hardening
//!   Guide sections; `mitre`: MITRE ATT&CK techniques. A control fails when any of its
//!   checks has a finding.
//! - `cis-docker`, `cis-kubernetes`: CIS Docker Benchmark / CIS Kubernetes Benchmark (node and
//!   control plane) recommendations, from the host checks
//!   ([`crate::host::HOST_CHECKS`]); manual recommendations are listed by the host report,
//!   not scored.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::check::{Check, PssLevel};
use crate::engine::PostureFinding;
use crate::registry::CHECKS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    PssBaseline,
    PssRestricted,
    Cis,
    Nsa,
    Mitre,
    CisDocker,
    CisKubernetes,
}

impl std::str::FromStr for Framework {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "pss-baseline" => Self::PssBaseline,
            "pss-restricted" => Self::PssRestricted,
            "cis" => Self::Cis,
            "nsa" => Self::Nsa,
            "mitre" => Self::Mitre,
            "cis-docker" => Self::CisDocker,
            "cis-kubernetes" => Self::CisKubernetes,
            other => {
                return Err(format!(
                    "unknown framework {other:?} (pss-baseline, pss-restricted, cis, nsa, mitre, cis-docker, cis-kubernetes)"
                ))
            }
        })
    }
}

impl Framework {
    pub fn name(self) -> &'static str {
        match self {
            Self::PssBaseline => "Pod Security Standards (baseline)",
            Self::PssRestricted => "Pod Security Standards (restricted)",
            Self::Cis => "CIS Kubernetes Benchmark",
            Self::Nsa => "NSA/CISA Kubernetes Hardening Guide",
            Self::Mitre => "MITRE ATT&CK (Containers)",
            Self::CisDocker => "CIS Docker Benchmark v1.6.0",
            Self::CisKubernetes => "CIS Kubernetes Benchmark v1.10 (node and control plane)",
        }
    }

    /// Whether this framework is made of host checks (`palisade host scan`) rather than
    /// Kubernetes posture checks.
    pub fn is_host(self) -> bool {
        matches!(self, Self::CisDocker | Self::CisKubernetes)
    }

    /// The framework's controls and the ids of the checks behind each (posture or host).
    pub fn control_ids(self) -> BTreeMap<String, Vec<&'static str>> {
        if self.is_host() {
            let benchmark = match self {
                Self::CisKubernetes => crate::host::Benchmark::CisKubernetes,
                _ => crate::host::Benchmark::CisDocker,
            };
            let mut out: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
            for c in crate::host::HOST_CHECKS {
                let m = c.meta();
                if m.benchmark == benchmark {
                    out.entry(m.cis.to_owned()).or_default().push(m.id);
                }
            }
            return out;
        }
        self.controls()
            .into_iter()
            .map(|(k, v)| (k, v.iter().map(|c| c.meta().id).collect()))
            .collect()
    }

    /// The framework's controls and the checks behind each.
    pub fn controls(self) -> BTreeMap<String, Vec<&'static dyn Check>> {
        let mut out: BTreeMap<String, Vec<&'static dyn Check>> = BTreeMap::new();
        let overridden: BTreeSet<&str> = CHECKS
            .iter()
            .filter(|c| c.meta().frameworks.pss == Some(PssLevel::Restricted))
            .flat_map(|c| c.meta().overrides.iter().copied())
            .collect();
        for c in CHECKS.iter().copied() {
            let f = &c.meta().frameworks;
            let keys: Vec<String> = match self {
                Self::PssBaseline | Self::PssRestricted => {
                    let in_profile = match (self, f.pss) {
                        (Self::PssBaseline, Some(PssLevel::Baseline)) => true,
                        (Self::PssRestricted, Some(PssLevel::Restricted)) => true,
                        (Self::PssRestricted, Some(PssLevel::Baseline)) => {
                            !overridden.contains(f.pss_control.unwrap_or(""))
                        }
                        _ => false,
                    };
                    if in_profile {
                        f.pss_control.map(str::to_owned).into_iter().collect()
                    } else {
                        Vec::new()
                    }
                }
                Self::Cis => f.cis.iter().map(|s| s.to_string()).collect(),
                Self::Nsa => f.nsa.iter().map(|s| s.to_string()).collect(),
                Self::Mitre => f.mitre.iter().map(|s| s.to_string()).collect(),
                Self::CisDocker | Self::CisKubernetes => Vec::new(),
            };
            for k in keys {
                out.entry(k).or_default().push(c);
            }
        }
        out
    }

    /// Whether a check is part of this framework.
    pub fn includes(self, id: &str) -> bool {
        self.control_ids().values().flatten().any(|c| *c == id)
    }
}

/// One control's result.
#[derive(Debug, Clone, Serialize)]
pub struct ControlResult {
    pub control: String,
    pub checks: Vec<&'static str>,
    pub passed: bool,
    pub findings: usize,
}

/// Controls passed and failed, and the share passed (0–100).
#[derive(Debug, Clone, Serialize)]
pub struct ComplianceSummary {
    pub framework: Framework,
    pub name: &'static str,
    pub controls: Vec<ControlResult>,
    pub passed: usize,
    pub failed: usize,
    pub score: f64,
}

pub fn summarize(framework: Framework, findings: &[PostureFinding]) -> ComplianceSummary {
    let mut per_check: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        *per_check.entry(f.check_id).or_default() += 1;
    }
    let controls: Vec<ControlResult> = framework
        .control_ids()
        .into_iter()
        .map(|(control, ids)| {
            let n: usize = ids
                .iter()
                .map(|id| per_check.get(id).copied().unwrap_or(0))
                .sum();
            ControlResult {
                control,
                checks: ids,
                passed: n == 0,
                findings: n,
            }
        })
        .collect();
    let mut controls = controls;
    if framework.is_host() {
        // CIS numbers in their natural order (2.2 before 2.10).
        controls.sort_by_key(|c| {
            c.control
                .split('.')
                .map(|n| n.parse::<u32>().unwrap_or(u32::MAX))
                .collect::<Vec<_>>()
        });
    }
    let passed = controls.iter().filter(|c| c.passed).count();
    let failed = controls.len() - passed;
    let score = if controls.is_empty() {
        100.0
    } else {
        (passed as f64 * 1000.0 / controls.len() as f64).round() / 10.0
    };
    ComplianceSummary {
        framework,
        name: framework.name(),
        controls,
        passed,
        failed,
        score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pss_profiles_compose_like_the_admission() {
        let baseline = Framework::PssBaseline.controls();
        assert_eq!(baseline.len(), 12);
        let restricted = Framework::PssRestricted.controls();
        // 12 baseline - 4 overridden + 7 restricted.
        assert_eq!(
            restricted.len(),
            15,
            "{:?}",
            restricted.keys().collect::<Vec<_>>()
        );
        assert!(!restricted.contains_key("hostPathVolumes"));
        assert!(restricted.contains_key("privileged"));
        assert!(Framework::Cis.controls().contains_key("5.2.2"));
        assert!(Framework::Mitre.controls().contains_key("T1611"));
    }
}
