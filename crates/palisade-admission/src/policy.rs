//! The admission policy file (`docs/admission.md`) and its compiled form.
//!
//! A file is read and compiled once at start: every check id resolved against the posture
//! registry, every framework expanded to its checks, scopes validated. Evaluation then only
//! walks precompiled lists.

use std::path::{Path, PathBuf};

use palisade_checks::frameworks::Framework;
use palisade_checks::rego::PolicySet;
use palisade_checks::{Check, Settings};
use serde::Deserialize;

pub const API_VERSION: &str = "palisade.dev/v1alpha1";
pub const KIND: &str = "AdmissionPolicy";

/// What a policy does with what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Deny the request.
    Enforce,
    /// Allow, with a warning to the client and an audit annotation.
    Warn,
    /// Allow and record (audit annotation, metrics, and a warning marked audit).
    Audit,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enforce => "enforce",
            Self::Warn => "warn",
            Self::Audit => "audit",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawFile {
    api_version: String,
    kind: String,
    policies: Vec<RawPolicy>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawPolicy {
    name: String,
    mode: Mode,
    #[serde(default)]
    scope: RawScope,
    #[serde(default)]
    posture: Option<RawPosture>,
    #[serde(default)]
    registry: Option<RawRegistry>,
    #[serde(default)]
    gatekeeper: Option<RawGatekeeper>,
    #[serde(default)]
    vulnerabilities: Option<RawVulns>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawVulns {
    /// Directory of `palisade image scan -f json` reports (relative to the policy file).
    reports: String,
    #[serde(default)]
    min_severity: Option<String>,
    #[serde(default)]
    cves: Vec<String>,
    #[serde(default)]
    kev: bool,
    #[serde(default)]
    min_cvss: Option<f64>,
    #[serde(default)]
    fixable_only: bool,
    #[serde(default = "unscanned_default")]
    unscanned: crate::vulns::Unscanned,
    #[serde(default)]
    exemptions: Vec<crate::vulns::Exemption>,
}

fn unscanned_default() -> crate::vulns::Unscanned {
    crate::vulns::Unscanned::Allow
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawGatekeeper {
    /// Files and directories of ConstraintTemplates and constraints (relative to the policy
    /// file).
    paths: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawScope {
    #[serde(default)]
    namespaces: Vec<String>,
    #[serde(default)]
    exclude_namespaces: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawPosture {
    #[serde(default)]
    framework: Option<String>,
    #[serde(default)]
    checks: Vec<String>,
    #[serde(default)]
    exclude_checks: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawRegistry {
    #[serde(default)]
    allowed: Vec<String>,
    #[serde(default)]
    require_digest: bool,
    #[serde(default)]
    forbid_latest: bool,
}

/// A namespace pattern: an exact name, or a prefix ending in `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespacePattern(String);

impl NamespacePattern {
    pub fn matches(&self, namespace: &str) -> bool {
        match self.0.strip_suffix('*') {
            Some(prefix) => namespace.starts_with(prefix),
            None => namespace == self.0,
        }
    }
}

/// Which namespaces a policy applies to (empty `namespaces`: all).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub namespaces: Vec<NamespacePattern>,
    pub exclude: Vec<NamespacePattern>,
}

impl Scope {
    pub fn applies(&self, namespace: &str) -> bool {
        (self.namespaces.is_empty() || self.namespaces.iter().any(|p| p.matches(namespace)))
            && !self.exclude.iter().any(|p| p.matches(namespace))
    }
}

/// What a policy checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Posture checks (a framework or a list of check ids).
    Posture,
    /// Registry rules (allowed registries, digest pinning, `:latest`).
    Registry,
    /// Gatekeeper ConstraintTemplates and constraints (the `posture scan --policy` engine).
    Gatekeeper,
    /// The image vulnerability gate over scan reports.
    Vulnerabilities,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Posture => "posture",
            Self::Registry => "registry",
            Self::Gatekeeper => "gatekeeper",
            Self::Vulnerabilities => "vulnerabilities",
        }
    }
}

/// One compiled policy.
pub struct Policy {
    pub name: String,
    pub mode: Mode,
    pub kind: PolicyKind,
    pub scope: Scope,
    /// The posture checks this policy runs (registry rules are posture checks too:
    /// PAL-K8S-041 latest, 042 digest, 043 registry allow-list).
    pub checks: Vec<&'static dyn Check>,
    pub settings: Settings,
    /// Gatekeeper templates (compiled) and constraints, for a `gatekeeper` policy.
    pub gatekeeper: Option<PolicySet>,
    /// The scan reports and conditions of a `vulnerabilities` policy.
    pub vulnerabilities: Option<crate::vulns::Gate>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("name", &self.name)
            .field("mode", &self.mode)
            .field("kind", &self.kind)
            .field("scope", &self.scope)
            .field(
                "checks",
                &self.checks.iter().map(|c| c.meta().id).collect::<Vec<_>>(),
            )
            .field("allowed_registries", &self.settings.allowed_registries)
            .field(
                "constraints",
                &self.gatekeeper.as_ref().map_or(0, |g| g.constraints.len()),
            )
            .finish()
    }
}

/// A policy file that cannot be used, with every reason.
#[derive(Debug, thiserror::Error)]
pub enum PolicyFileError {
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}: not a policy file: {message}")]
    Syntax { path: String, message: String },
    #[error("{path}: {}", .problems.join("; "))]
    Invalid { path: String, problems: Vec<String> },
}

/// Policy files are small; anything bigger is refused before reading.
pub const MAX_POLICY_FILE: u64 = 4 << 20;

/// Reads and compiles one policy file.
pub fn load_file(path: &Path) -> Result<Vec<Policy>, PolicyFileError> {
    let name = path.display().to_string();
    let read_err = |message: String| PolicyFileError::Read {
        path: name.clone(),
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| read_err(e.to_string()))?
        .len();
    if size > MAX_POLICY_FILE {
        return Err(read_err(format!(
            "{size} bytes, more than the {MAX_POLICY_FILE} a policy file may have"
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| read_err(e.to_string()))?;
    compile_in(&text, &name, path.parent().unwrap_or(Path::new(".")))
}

/// Parses and compiles policy file text (`origin` names it in errors); relative paths are
/// relative to the current directory.
pub fn compile(text: &str, origin: &str) -> Result<Vec<Policy>, PolicyFileError> {
    compile_in(text, origin, Path::new("."))
}

/// As [`compile`], with relative paths relative to `base`.
pub fn compile_in(text: &str, origin: &str, base: &Path) -> Result<Vec<Policy>, PolicyFileError> {
    let raw: RawFile = serde_saphyr::from_str(text).map_err(|e| PolicyFileError::Syntax {
        path: origin.to_owned(),
        message: e.to_string(),
    })?;
    let mut problems = Vec::new();
    if raw.api_version != API_VERSION {
        problems.push(format!(
            "apiVersion {:?} (expected {API_VERSION})",
            raw.api_version
        ));
    }
    if raw.kind != KIND {
        problems.push(format!("kind {:?} (expected {KIND})", raw.kind));
    }
    let mut out = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for (i, p) in raw.policies.into_iter().enumerate() {
        let at = format!("policies[{i}] {:?}", p.name);
        if p.name.is_empty() {
            problems.push(format!("policies[{i}]: empty name"));
        }
        if !names.insert(p.name.clone()) {
            problems.push(format!("{at}: name used twice"));
        }
        match compile_policy(p, base) {
            Ok(policy) => out.push(policy),
            Err(reasons) => problems.extend(reasons.into_iter().map(|r| format!("{at}: {r}"))),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(PolicyFileError::Invalid {
            path: origin.to_owned(),
            problems,
        })
    }
}

fn pattern(text: String, problems: &mut Vec<String>) -> NamespacePattern {
    let body = text.strip_suffix('*').unwrap_or(&text);
    if body.contains('*') || (body.is_empty() && !text.ends_with('*')) {
        problems.push(format!(
            "namespace pattern {text:?}: a name, or a prefix ending in a single `*`"
        ));
    }
    NamespacePattern(text)
}

fn compile_policy(p: RawPolicy, base: &Path) -> Result<Policy, Vec<String>> {
    let mut problems = Vec::new();
    let scope = Scope {
        namespaces: p
            .scope
            .namespaces
            .into_iter()
            .map(|n| pattern(n, &mut problems))
            .collect(),
        exclude: p
            .scope
            .exclude_namespaces
            .into_iter()
            .map(|n| pattern(n, &mut problems))
            .collect(),
    };
    let mut settings = Settings::default();
    let mut checks: Vec<&'static dyn Check> = Vec::new();
    let mut gatekeeper = None;
    let mut vulnerabilities = None;
    let kind = match (p.posture, p.registry, p.gatekeeper, p.vulnerabilities) {
        (None, None, None, Some(v)) => {
            let min_severity = match v.min_severity.as_deref().map(crate::vulns::parse_severity) {
                Some(Ok(s)) => Some(s),
                Some(Err(e)) => {
                    problems.push(format!("vulnerabilities: {e}"));
                    None
                }
                None => None,
            };
            let conditions = crate::vulns::Conditions {
                min_severity,
                ids: v.cves,
                kev: v.kev,
                min_cvss: v.min_cvss,
                fixable_only: v.fixable_only,
            };
            if conditions.min_severity.is_none()
                && conditions.ids.is_empty()
                && !conditions.kev
                && conditions.min_cvss.is_none()
                && v.unscanned == crate::vulns::Unscanned::Allow
            {
                problems.push(
                    "vulnerabilities: set minSeverity, cves, kev, minCvss or unscanned".into(),
                );
            }
            match crate::vulns::Gate::load(
                &base.join(&v.reports),
                conditions,
                v.unscanned,
                v.exemptions,
            ) {
                Ok(g) => vulnerabilities = Some(g),
                Err(e) => problems.extend(e.into_iter().map(|e| format!("vulnerabilities: {e}"))),
            }
            PolicyKind::Vulnerabilities
        }
        (None, None, Some(gk), None) => {
            if gk.paths.is_empty() {
                problems.push("gatekeeper: give the paths of templates and constraints".into());
            }
            let paths: Vec<PathBuf> = gk.paths.iter().map(|p| base.join(p)).collect();
            let (set, errors) = palisade_checks::rego::load_paths(&paths);
            problems.extend(errors.into_iter().map(|e| format!("gatekeeper: {e}")));
            if set.constraints.is_empty() && problems.is_empty() {
                problems.push("gatekeeper: no constraint found in the paths".into());
            }
            gatekeeper = Some(set);
            PolicyKind::Gatekeeper
        }
        (Some(posture), None, None, None) => {
            if let Some(f) = &posture.framework {
                match f.parse::<Framework>() {
                    Ok(fw) => {
                        for c in fw.controls().into_values().flatten() {
                            if !checks.iter().any(|k| k.meta().id == c.meta().id) {
                                checks.push(c);
                            }
                        }
                    }
                    Err(e) => problems.push(e),
                }
            }
            for id in &posture.checks {
                match palisade_checks::by_id(id) {
                    Some(c) if !checks.iter().any(|k| k.meta().id == c.meta().id) => checks.push(c),
                    Some(_) => {}
                    None => problems.push(format!("unknown check {id:?}")),
                }
            }
            for id in &posture.exclude_checks {
                if palisade_checks::by_id(id).is_none() {
                    problems.push(format!("unknown check {id:?} in excludeChecks"));
                }
                checks.retain(|c| c.meta().id != id);
            }
            if posture.framework.is_none() && posture.checks.is_empty() {
                problems.push("posture: give a framework or a list of checks".into());
            }
            PolicyKind::Posture
        }
        (None, Some(reg), None, None) => {
            if !reg.allowed.is_empty() {
                checks.push(registry_check("PAL-K8S-043"));
                settings.allowed_registries = reg.allowed;
            }
            if reg.require_digest {
                checks.push(registry_check("PAL-K8S-042"));
            }
            if reg.forbid_latest {
                checks.push(registry_check("PAL-K8S-041"));
            }
            if checks.is_empty() {
                problems.push(
                    "registry: set at least one of allowed, requireDigest, forbidLatest".into(),
                );
            }
            PolicyKind::Registry
        }
        (None, None, None, None) => {
            problems.push(
                "a policy needs one of `posture`, `registry`, `gatekeeper`, `vulnerabilities`"
                    .into(),
            );
            PolicyKind::Posture
        }
        _ => {
            problems.push(
                "a policy has exactly one of `posture`, `registry`, `gatekeeper`, `vulnerabilities`"
                    .into(),
            );
            PolicyKind::Posture
        }
    };
    if problems.is_empty() {
        Ok(Policy {
            name: p.name,
            mode: p.mode,
            kind,
            scope,
            checks,
            settings,
            gatekeeper,
            vulnerabilities,
        })
    } else {
        Err(problems)
    }
}

/// The registry rules are the posture registry's image checks, not a second copy.
fn registry_check(id: &str) -> &'static dyn Check {
    match palisade_checks::by_id(id) {
        Some(c) => c,
        // The ids are pinned by `registry_rules_are_posture_checks` below.
        None => unreachable!("posture check {id} is missing from the registry"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_rules_are_posture_checks() {
        for (id, slug) in [
            ("PAL-K8S-041", "image_latest"),
            ("PAL-K8S-042", "image_digest"),
            ("PAL-K8S-043", "registry_allow_list"),
        ] {
            assert_eq!(palisade_checks::by_id(id).unwrap().meta().slug, slug);
        }
    }

    #[test]
    fn compiles_frameworks_and_reports_every_problem() {
        let ok = compile(
            "apiVersion: palisade.dev/v1alpha1\nkind: AdmissionPolicy\npolicies:\n\
             - name: r\n  mode: enforce\n  scope: {namespaces: [prod, team-*]}\n  posture: {framework: pss-restricted}\n\
             - name: reg\n  mode: warn\n  registry: {allowed: [ghcr.io/acme], requireDigest: true}\n",
            "t",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        // The pod-security admission's restricted profile: 12 baseline − 4 overridden + 7.
        assert_eq!(ok[0].checks.len(), 15);
        assert!(ok[0].scope.applies("team-a") && !ok[0].scope.applies("dev"));
        assert_eq!(ok[1].checks.len(), 2);
        let err = compile(
            "apiVersion: palisade.dev/v1alpha1\nkind: AdmissionPolicy\npolicies:\n\
             - name: x\n  mode: enforce\n  posture: {framework: nope, checks: [PAL-K8S-999]}\n\
             - name: x\n  mode: warn\n  registry: {}\n",
            "t",
        )
        .unwrap_err()
        .to_string();
        for needle in [
            "unknown framework",
            "PAL-K8S-999",
            "name used twice",
            "at least one",
        ] {
            assert!(err.contains(needle), "{needle} not in {err}");
        }
        assert!(compile("policies: [", "t").is_err());
        assert!(compile(
            "apiVersion: palisade.dev/v1alpha1\nkind: AdmissionPolicy\npolicies:\n- {name: a, mode: block, registry: {forbidLatest: true}}\n",
            "t"
        )
        .is_err());
    }
}
