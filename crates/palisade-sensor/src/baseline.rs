//! Anomaly baseline: per image, the executables its containers run and the destinations
//! (`ip:port`) they connect to. In learning mode the sensor records them; with a baseline in
//! enforce mode, an executable or destination the image never showed raises a lower-severity
//! anomaly alert (`PAL-NODE-ANOM-001`, `PAL-NODE-ANOM-002`). Images not in the baseline are
//! not judged (nothing was learned about them).
//!
//! An image is keyed by its digest (a repository digest when it has one, else the image id),
//! else by its reference (`repository:tag`). The baseline is one JSON file, `baseline.json`
//! in the baseline directory, written atomically (temporary file, fsync, rename, fsync of the
//! directory), so a crash leaves the old or the new file, never half of one. It is bounded:
//! [`MAX_IMAGES`] images, [`MAX_ITEMS`] executables and destinations each per image; past
//! that, learning stops for the image and says so.
//!
//! The file is untrusted input for [`Baseline::parse`]: size, counts and string lengths are
//! checked, errors are messages, never panics.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_model::Severity;
use palisade_rules::{Pos, Priority, RuleMeta};
use serde::{Deserialize, Serialize};

use crate::decode::{Kind, NodeEvent};
use crate::metadata::ContainerInfo;

pub const MAX_IMAGES: usize = 4096;
pub const MAX_ITEMS: usize = 1024;
/// Longest executable path or destination kept.
pub const MAX_ITEM_LEN: usize = 4096;
/// Largest baseline file read.
pub const MAX_FILE: usize = 64 << 20;
pub const FILE_NAME: &str = "baseline.json";
const VERSION: u32 = 1;

/// What one image was seen doing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default)]
    pub executables: BTreeSet<String>,
    #[serde(default)]
    pub destinations: BTreeSet<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    images: BTreeMap<String, Profile>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("baseline {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("baseline: {0}")]
    Invalid(String),
}

/// Whether the baseline grows or judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Learn,
    Enforce,
}

/// What an event was, for the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    Executable(String),
    Destination(String),
}

/// The key of an image: digest, else `repository:tag`, else the reference as given.
pub fn image_key(info: &ContainerInfo) -> Option<String> {
    if let Some(d) = info.image_digest.as_deref().filter(|d| !d.is_empty()) {
        return Some(d.to_string());
    }
    match (&info.image_repository, &info.image_tag) {
        (Some(r), Some(t)) => Some(format!("{r}:{t}")),
        (Some(r), None) => Some(r.clone()),
        _ => info.image.clone().filter(|i| !i.is_empty()),
    }
}

/// `ip:port` (`[v6]:port`) of a connect event.
pub fn destination(e: &NodeEvent) -> Option<String> {
    let addr = e.addr?;
    Some(match addr {
        std::net::IpAddr::V4(a) => format!("{a}:{}", e.a1),
        std::net::IpAddr::V6(a) => format!("[{a}]:{}", e.a1),
    })
}

/// What of `e` (with the process's executable `exe`) the baseline looks at.
pub fn observation(e: &NodeEvent, exe: Option<&str>) -> Option<Observation> {
    match e.kind {
        Kind::Exec => exe
            .filter(|p| !p.is_empty())
            .map(|p| Observation::Executable(p.to_string())),
        Kind::Connect => destination(e).map(Observation::Destination),
        _ => None,
    }
}

/// Per-image profiles; see the module documentation.
#[derive(Debug, Default)]
pub struct Baseline {
    images: BTreeMap<String, Profile>,
    dirty: bool,
    /// Images whose profile was full when something new was seen (warned once each).
    full: BTreeSet<String>,
}

impl Baseline {
    pub fn new() -> Baseline {
        Baseline::default()
    }

    pub fn images(&self) -> usize {
        self.images.len()
    }

    pub fn profile(&self, image: &str) -> Option<&Profile> {
        self.images.get(image)
    }

    /// Changed since loaded or last saved.
    pub fn dirty(&self) -> bool {
        self.dirty
    }

    /// Parses a baseline file's bytes (untrusted).
    pub fn parse(bytes: &[u8]) -> Result<Baseline, BaselineError> {
        if bytes.len() > MAX_FILE {
            return Err(BaselineError::Invalid(format!(
                "{} bytes, more than the {MAX_FILE} byte limit",
                bytes.len()
            )));
        }
        let file: File =
            serde_json::from_slice(bytes).map_err(|e| BaselineError::Invalid(e.to_string()))?;
        if file.version != VERSION {
            return Err(BaselineError::Invalid(format!(
                "version {}, this sensor reads version {VERSION}",
                file.version
            )));
        }
        if file.images.len() > MAX_IMAGES {
            return Err(BaselineError::Invalid(format!(
                "{} images, more than {MAX_IMAGES}",
                file.images.len()
            )));
        }
        for (image, p) in &file.images {
            if image.is_empty() || image.len() > MAX_ITEM_LEN {
                return Err(BaselineError::Invalid(format!(
                    "image key of {} bytes",
                    image.len()
                )));
            }
            for (what, set) in [
                ("executables", &p.executables),
                ("destinations", &p.destinations),
            ] {
                if set.len() > MAX_ITEMS {
                    return Err(BaselineError::Invalid(format!(
                        "image {image}: {} {what}, more than {MAX_ITEMS}",
                        set.len()
                    )));
                }
                if let Some(long) = set.iter().find(|s| s.len() > MAX_ITEM_LEN) {
                    return Err(BaselineError::Invalid(format!(
                        "image {image}: an entry of {what} has {} bytes",
                        long.len()
                    )));
                }
            }
        }
        Ok(Baseline {
            images: file.images,
            dirty: false,
            full: BTreeSet::new(),
        })
    }

    /// The file's text.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            version: u32,
            images: &'a BTreeMap<String, Profile>,
        }
        serde_json::to_string_pretty(&Out {
            version: VERSION,
            images: &self.images,
        })
        .unwrap_or_default()
    }

    /// Loads `dir/baseline.json`; an absent file is an empty baseline.
    pub fn load(dir: &Path) -> Result<Baseline, BaselineError> {
        let path = dir.join(FILE_NAME);
        let io = |source| BaselineError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Baseline::new()),
            Err(e) => return Err(io(e)),
            Ok(m) if m.len() > MAX_FILE as u64 => {
                return Err(BaselineError::Invalid(format!(
                    "{}: {} bytes, more than the {MAX_FILE} byte limit",
                    path.display(),
                    m.len()
                )))
            }
            Ok(_) => {}
        }
        let bytes = std::fs::read(&path).map_err(io)?;
        Baseline::parse(&bytes).map_err(|e| match e {
            BaselineError::Invalid(m) => BaselineError::Invalid(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Writes `dir/baseline.json` atomically.
    pub fn save(&mut self, dir: &Path) -> Result<PathBuf, BaselineError> {
        let path = dir.join(FILE_NAME);
        let io = |source| BaselineError::Io {
            path: path.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let tmp = dir.join(format!(".{FILE_NAME}.tmp"));
        {
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(self.to_json().as_bytes()).map_err(io)?;
            f.write_all(b"\n").map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, &path).map_err(io)?;
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
        self.dirty = false;
        Ok(path)
    }

    /// Learning: records what `image` did. Returns false when the image's profile (or the
    /// baseline) is full and the observation was not kept.
    pub fn learn(&mut self, image: &str, obs: &Observation) -> bool {
        if !self.images.contains_key(image) && self.images.len() >= MAX_IMAGES {
            if self.full.insert(String::new()) {
                tracing::warn!("baseline: {MAX_IMAGES} images learned; no more are added");
            }
            return false;
        }
        let p = self.images.entry(image.to_string()).or_default();
        let (set, item) = match obs {
            Observation::Executable(x) => (&mut p.executables, x),
            Observation::Destination(x) => (&mut p.destinations, x),
        };
        if set.contains(item) {
            return true;
        }
        if set.len() >= MAX_ITEMS || item.len() > MAX_ITEM_LEN {
            if self.full.insert(image.to_string()) {
                tracing::warn!(image, "baseline: profile full ({MAX_ITEMS} entries); not learning more for this image");
            }
            return false;
        }
        set.insert(item.clone());
        self.dirty = true;
        true
    }

    /// Enforcing: whether `obs` is new for `image` (false for images never learned).
    pub fn is_anomaly(&self, image: &str, obs: &Observation) -> bool {
        match self.images.get(image) {
            None => false,
            Some(p) => match obs {
                Observation::Executable(x) => !p.executables.contains(x),
                Observation::Destination(x) => !p.destinations.contains(x),
            },
        }
    }
}

/// The two anomaly "rules": alerts that come from the baseline, not from the rule engine.
pub fn anomaly_meta(obs: &Observation) -> RuleMeta {
    let (id, name, desc, technique, tactic, remediation) = match obs {
        Observation::Executable(_) => (
            "PAL-NODE-ANOM-001",
            "New executable in a learned image",
            "A container ran an executable its image never ran while the baseline was learned.",
            "T1204",
            "execution",
            "Check whether the executable is part of a legitimate change (new image version, \
             new job); if so, learn the image again (`sensor run --learn --baseline DIR`). \
             Otherwise treat the container as compromised: inspect the process and its parent.",
        ),
        Observation::Destination(_) => (
            "PAL-NODE-ANOM-002",
            "New network destination for a learned image",
            "A container connected to an address and port its image never connected to while \
             the baseline was learned.",
            "T1071",
            "command_and_control",
            "Check whether the destination is a legitimate new dependency; if so, learn the \
             image again. Otherwise block egress to it (NetworkPolicy) and inspect the process.",
        ),
    };
    RuleMeta {
        name: name.into(),
        id: Some(id.into()),
        desc: desc.into(),
        priority: Priority::Notice,
        severity: Severity::Low,
        tags: vec![
            "anomaly".into(),
            format!("mitre_{tactic}"),
            technique.into(),
        ],
        techniques: vec![technique.into()],
        tactics: vec![tactic.into()],
        source: crate::fields::SOURCE.into(),
        remediation: Some(remediation.into()),
        enabled: true,
        pos: Pos::new(&Arc::from("<baseline>"), 1, 1),
    }
}

/// Both anomaly rules, for listings next to the engine's rules.
pub fn anomaly_rules() -> Vec<RuleMeta> {
    [
        Observation::Executable(String::new()),
        Observation::Destination(String::new()),
    ]
    .iter()
    .map(anomaly_meta)
    .collect()
}

/// The message of an anomaly alert.
pub fn anomaly_message(obs: &Observation, info: &ContainerInfo, image: &str) -> String {
    let who = info.name.as_deref().unwrap_or(&info.id);
    match obs {
        Observation::Executable(x) => {
            format!("Executable {x} is new for image {image} (container {who})")
        }
        Observation::Destination(x) => {
            format!("Connection to {x} is new for image {image} (container {who})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exe(s: &str) -> Observation {
        Observation::Executable(s.into())
    }

    #[test]
    fn learn_save_load_enforce() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Baseline::load(dir.path()).unwrap();
        assert_eq!(b.images(), 0);
        assert!(b.learn("sha256:aa", &exe("/usr/bin/python3")));
        assert!(b.learn(
            "sha256:aa",
            &Observation::Destination("10.0.0.1:5432".into())
        ));
        assert!(b.dirty());
        b.save(dir.path()).unwrap();
        assert!(!b.dirty());
        let b2 = Baseline::load(dir.path()).unwrap();
        assert_eq!(b2.profile("sha256:aa"), b.profile("sha256:aa"));
        assert!(!b2.is_anomaly("sha256:aa", &exe("/usr/bin/python3")));
        assert!(b2.is_anomaly("sha256:aa", &exe("/bin/sh")));
        assert!(b2.is_anomaly("sha256:aa", &Observation::Destination("10.0.0.1:22".into())));
        assert!(!b2.is_anomaly("sha256:bb", &exe("/bin/sh")), "not learned");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from(FILE_NAME)]);
    }

    #[test]
    fn bounded_per_image() {
        let mut b = Baseline::new();
        for i in 0..MAX_ITEMS {
            assert!(b.learn("img", &exe(&format!("/bin/p{i}"))));
        }
        assert!(!b.learn("img", &exe("/bin/one-more")));
        assert!(b.learn("img", &exe("/bin/p0")), "known ones still fine");
        assert_eq!(b.profile("img").unwrap().executables.len(), MAX_ITEMS);
        let too_many = format!(
            r#"{{"version":1,"images":{{"x":{{"executables":[{}]}}}}}}"#,
            (0..=MAX_ITEMS)
                .map(|i| format!("\"/b{i}\""))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert!(Baseline::parse(too_many.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("more than 1024"));
    }

    #[test]
    fn bad_files_are_errors() {
        for (text, want) in [
            ("", "EOF"),
            ("{", "EOF"),
            (r#"{"version":2,"images":{}}"#, "version 2"),
            (
                r#"{"version":1,"images":{"x":{"execs":[]}}}"#,
                "unknown field",
            ),
            (r#"{"version":1,"images":{"":{}}}"#, "image key"),
            (r#"{"version":1}"#, "missing field"),
            (r#"[1,2]"#, "invalid type"),
        ] {
            let e = Baseline::parse(text.as_bytes()).unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
    }

    #[test]
    fn keys_and_observations() {
        let mut i = ContainerInfo {
            image_digest: Some("sha256:11".into()),
            image_repository: Some("nginx".into()),
            image_tag: Some("1.25".into()),
            ..Default::default()
        };
        assert_eq!(image_key(&i).as_deref(), Some("sha256:11"));
        i.image_digest = None;
        assert_eq!(image_key(&i).as_deref(), Some("nginx:1.25"));
        assert_eq!(image_key(&ContainerInfo::default()), None);
        let e = NodeEvent {
            kind: Kind::Connect,
            pid: 1,
            tid: 1,
            ppid: 0,
            uid: 0,
            gid: 0,
            ts_ns: 0,
            cgroup_id: 0,
            comm: String::new(),
            pcomm: String::new(),
            cgroups: vec![],
            path: None,
            args: vec![],
            cwd: None,
            args_truncated: false,
            a0: 10,
            a1: 443,
            addr: Some("2001:db8::1".parse().unwrap()),
            ..Default::default()
        };
        assert_eq!(
            observation(&e, Some("/bin/curl")),
            Some(Observation::Destination("[2001:db8::1]:443".into()))
        );
    }
}
