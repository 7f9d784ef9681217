//! Drift policies: allow lists, as data, for workloads that legitimately run executables
//! that are not in their image (self-updating agents, plugin loaders, JIT caches). A policy
//! applies to alerts of rules tagged `drift` only; an allowed alert is not written and is
//! counted (`palisade_sensor_alerts_suppressed_drift_total`).
//!
//! ```yaml
//! allow:
//!   - name: self-updating agent         # optional, for logs
//!     images: ["ghcr.io/acme/agent", "registry.local/*/updater"]   # repository globs
//!     digests: ["sha256:0123..."]       # image digests (or image ids)
//!     namespaces: ["ci-*"]              # Kubernetes namespace globs
//!     executables: ["/opt/agent/bin/*", "/tmp/agent-update-*"]     # path globs
//! ```
//!
//! An entry applies to a container when one of its selectors (`images`, `digests`,
//! `namespaces`) matches, and allows the alert when the process's executable matches one
//! of its `executables`. Globs: `*` (any run, `/` included), `?`, `[a-z]`. An entry with no
//! selector or no executable is an error, as is an unknown key; every error carries
//! `file:line`. The file is parsed with a panic-free YAML parser (untrusted input).

use std::path::Path;

use palisade_rules::glob::Glob;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::metadata::ContainerInfo;

/// Largest policy file read.
pub const MAX_FILE: usize = 4 << 20;
/// Entries at most.
pub const MAX_ENTRIES: usize = 10_000;
/// The rule tag policies apply to.
pub const TAG: &str = "drift";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    allow: Vec<Spanned<RawEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    images: Vec<Spanned<String>>,
    #[serde(default)]
    digests: Vec<String>,
    #[serde(default)]
    namespaces: Vec<Spanned<String>>,
    #[serde(default)]
    executables: Vec<Spanned<String>>,
}

/// One allow entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: Option<String>,
    /// `file:line` of the entry.
    pub at: String,
    images: Vec<Glob>,
    digests: Vec<String>,
    namespaces: Vec<Glob>,
    executables: Vec<Glob>,
}

impl Entry {
    fn applies_to(&self, c: &ContainerInfo) -> bool {
        let repo = c.image_repository.as_deref();
        self.images
            .iter()
            .any(|g| repo.is_some_and(|r| g.matches(r)))
            || self
                .digests
                .iter()
                .any(|d| c.image_digest.as_deref() == Some(d.as_str()))
            || self
                .namespaces
                .iter()
                .any(|g| c.pod_namespace.as_deref().is_some_and(|n| g.matches(n)))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
}

/// A loaded drift policy.
#[derive(Debug, Clone, Default)]
pub struct DriftPolicy {
    entries: Vec<Entry>,
}

impl DriftPolicy {
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn load(path: &Path) -> Result<DriftPolicy, PolicyError> {
        let name = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| PolicyError::Io(name.clone(), e))?;
        if meta.len() > MAX_FILE as u64 {
            return Err(PolicyError::Invalid {
                file: name,
                line: 1,
                message: format!("{} bytes, more than {MAX_FILE}", meta.len()),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError::Io(name.clone(), e))?;
        DriftPolicy::parse(&name, &text)
    }

    /// Parses a policy file's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<DriftPolicy, PolicyError> {
        let err = |line: usize, message: String| PolicyError::Invalid {
            file: file.to_string(),
            line: line.max(1),
            message,
        };
        if text.len() > MAX_FILE {
            return Err(err(
                1,
                format!("{} bytes, more than {MAX_FILE}", text.len()),
            ));
        }
        if text.trim().is_empty() {
            return Ok(DriftPolicy::default());
        }
        let raw: RawFile = serde_saphyr::from_str(text).map_err(|e| {
            let msg = e.to_string();
            let first = msg.lines().next().unwrap_or_default().to_string();
            err(line_of(&msg).unwrap_or(1), first)
        })?;
        if raw.allow.len() > MAX_ENTRIES {
            return Err(err(1, format!("more than {MAX_ENTRIES} entries")));
        }
        let mut entries = Vec::with_capacity(raw.allow.len());
        for e in raw.allow {
            let line = e.referenced.line() as usize;
            let e = e.value;
            let globs = |list: &[Spanned<String>]| -> Result<Vec<Glob>, PolicyError> {
                list.iter()
                    .map(|s| Glob::new(&s.value).map_err(|m| err(s.referenced.line() as usize, m)))
                    .collect()
            };
            if e.images.is_empty() && e.digests.is_empty() && e.namespaces.is_empty() {
                return Err(err(
                    line,
                    "entry names no images, digests or namespaces".into(),
                ));
            }
            if e.executables.is_empty() {
                return Err(err(line, "entry allows no executables".into()));
            }
            if let Some(x) = e
                .executables
                .iter()
                .find(|x| !x.value.starts_with(['/', '*']))
            {
                return Err(err(
                    x.referenced.line() as usize,
                    format!("executable {:?} is not an absolute path or glob", x.value),
                ));
            }
            entries.push(Entry {
                name: e.name,
                at: format!("{file}:{line}"),
                images: globs(&e.images)?,
                digests: e.digests,
                namespaces: globs(&e.namespaces)?,
                executables: globs(&e.executables)?,
            });
        }
        Ok(DriftPolicy { entries })
    }

    /// The entry allowing `exe` to drift in container `c`, if any.
    pub fn allows(&self, c: Option<&ContainerInfo>, exe: Option<&str>) -> Option<&Entry> {
        let (c, exe) = (c?, exe?);
        self.entries
            .iter()
            .find(|e| e.applies_to(c) && e.executables.iter().any(|g| g.matches(exe)))
    }
}

/// The line number in a YAML error message (`... at line 3 column 5`).
fn line_of(msg: &str) -> Option<usize> {
    let i = msg.find("line ")?;
    msg[i + 5..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "\
# agents that update themselves
allow:
  - name: agent
    images: [\"ghcr.io/acme/agent\", \"registry.local/*/updater\"]
    executables: [\"/opt/agent/bin/*\"]
  - digests: [\"sha256:abcd\"]
    executables: [\"/tmp/plugin-?.so\", \"/usr/local/bin/jit\"]
  - namespaces: [\"ci-*\"]
    executables: [\"*\"]
";

    fn info(repo: &str, digest: &str, ns: Option<&str>) -> ContainerInfo {
        ContainerInfo {
            image_repository: Some(repo.into()),
            image_digest: Some(digest.into()),
            pod_namespace: ns.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn allows_per_image_digest_and_namespace() {
        let p = DriftPolicy::parse("p.yaml", POLICY).unwrap();
        assert_eq!(p.entries().len(), 3);
        assert_eq!(p.entries()[0].at, "p.yaml:3");
        let agent = info("ghcr.io/acme/agent", "sha256:1", None);
        assert_eq!(
            p.allows(Some(&agent), Some("/opt/agent/bin/v2/agent"))
                .and_then(|e| e.name.as_deref()),
            Some("agent")
        );
        assert!(p.allows(Some(&agent), Some("/tmp/x")).is_none());
        let up = info("registry.local/team/updater", "sha256:2", None);
        assert!(p.allows(Some(&up), Some("/opt/agent/bin/u")).is_some());
        let other = info("nginx", "sha256:abcd", None);
        assert!(p.allows(Some(&other), Some("/tmp/plugin-a.so")).is_some());
        assert!(p.allows(Some(&other), Some("/tmp/plugin-ab.so")).is_none());
        let ci = info("builder", "sha256:9", Some("ci-42"));
        assert!(p.allows(Some(&ci), Some("/anything")).is_some());
        let prod = info("builder", "sha256:9", Some("prod"));
        assert!(p.allows(Some(&prod), Some("/anything")).is_none());
        assert!(p.allows(None, Some("/opt/agent/bin/x")).is_none(), "host");
    }

    #[test]
    fn errors_carry_file_and_line() {
        for (text, line, want) in [
            ("allow:\n  - images: [a]\n", 2, "no executables"),
            ("allow:\n  - executables: [/x]\n", 2, "no images"),
            (
                "allow:\n  - images: [a]\n    executables:\n      - /ok\n      - relative\n",
                5,
                "not an absolute path",
            ),
            (
                "allow:\n  - images: [\"a[\"]\n    executables: [/x]\n",
                2,
                "unclosed",
            ),
            (
                "allow:\n  - images: [a]\n    executable: [/x]\n",
                3,
                "unknown field",
            ),
            ("allow: [\n", 1, "unclosed"),
            ("allow: 3\n", 1, ""),
        ] {
            let e = DriftPolicy::parse("f.yaml", text).unwrap_err().to_string();
            assert!(e.starts_with(&format!("f.yaml:{line}: ")), "{text:?}: {e}");
            assert!(e.contains(want), "{text:?}: {e}");
        }
        assert!(DriftPolicy::parse("f", "").unwrap().entries().is_empty());
    }

    #[test]
    fn globs() {
        for (p, t, want) in [
            ("*", "", true),
            ("/opt/*", "/opt/a/b", true),
            ("/opt/*/x", "/opt/a/b/x", true),
            ("/opt/?", "/opt/ab", false),
            ("[a-c]x", "bx", true),
            ("[!a-c]x", "bx", false),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
        ] {
            assert_eq!(Glob::new(p).unwrap().matches(t), want, "{p} {t}");
        }
    }
}
