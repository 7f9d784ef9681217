//! What a host scan looks at, collected once by an adapter (`palisade-host`) and read by every
//! host check: the Docker daemon's configuration file and command line, `docker info`, the
//! inspect documents of every container and image, and owner / mode of the files the CIS
//! Docker Benchmark names. Checks are pure functions over this value, so fixtures drive them.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

/// Largest `daemon.json` accepted (dockerd's own files are a few hundred bytes).
pub const MAX_DAEMON_JSON: usize = 1 << 20;

#[derive(Debug, Clone, Default, Serialize)]
pub struct HostFacts {
    /// `/etc/docker/daemon.json` (or `--config-file`), parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daemon_config: Option<DaemonConfig>,
    /// The running dockerd's command line (`/proc/<pid>/cmdline`), without the program name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerd: Option<DockerdProcess>,
    /// `GET /info` of the Docker Engine API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docker_info: Option<Value>,
    /// Every running container: `GET /containers/{id}/json` and its processes.
    pub containers: Vec<ContainerFacts>,
    /// `GET /images/{id}/json` and `GET /images/{id}/history` of every image.
    pub images: Vec<ImageFacts>,
    /// Owner and mode of the files the benchmark names, by absolute path on the host.
    pub files: BTreeMap<String, FileFacts>,
    /// Group names by gid (`/etc/group`).
    pub groups: BTreeMap<u32, String>,
    /// The audit rules (`/etc/audit/audit.rules`, `/etc/audit/rules.d/*.rules`), concatenated;
    /// `None` when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_rules: Option<String>,
    /// Mount points of the host's mount namespace (`/proc/1/mountinfo`).
    pub mount_points: Vec<String>,
    /// The kubelet: its configuration file and command line (`None`: not a Kubernetes node).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubelet: Option<Kubelet>,
    /// The control plane's static pod manifests (`/etc/kubernetes/manifests`).
    pub static_pods: Vec<StaticPod>,
    /// `DOCKER_CONTENT_TRUST` of the environment the scan runs in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_trust: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DaemonConfig {
    /// Where it was read (as reported).
    pub path: String,
    pub settings: Map<String, Value>,
    #[serde(skip)]
    text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DockerdProcess {
    pub pid: u32,
    pub args: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContainerFacts {
    pub inspect: Value,
    /// Command lines of its processes (`GET /containers/{id}/top`), empty when not read.
    pub processes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageFacts {
    pub inspect: Value,
    pub history: Vec<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FileFacts {
    pub uid: u32,
    pub gid: u32,
    /// Permission bits (`0o7777`).
    pub mode: u32,
    pub is_dir: bool,
}

/// A YAML (or JSON) configuration file: its value and the line of every field.
#[derive(Debug, Clone, Serialize)]
pub struct YamlFile {
    pub path: String,
    pub value: Value,
    #[serde(skip)]
    lines: Option<palisade_k8s::Lines>,
}

impl YamlFile {
    /// Parses the first document of a YAML file (untrusted: bounded size, depth and nodes,
    /// panic-free parser).
    pub fn parse(path: &str, text: &str) -> Result<Self, ConfigError> {
        if text.len() > MAX_DAEMON_JSON {
            return Err(ConfigError::TooLarge(text.len()));
        }
        let (docs, errors) =
            palisade_k8s::yaml::parse_stream(text, &palisade_k8s::yaml::Limits::default());
        if let Some(e) = errors.first() {
            return Err(ConfigError::Syntax {
                line: e.line as usize,
                message: e.message.clone(),
            });
        }
        let Some(doc) = docs.into_iter().find(|d| !d.value.is_null()) else {
            return Err(ConfigError::NotAnObject);
        };
        if !doc.value.is_object() {
            return Err(ConfigError::NotAnObject);
        }
        Ok(Self {
            path: path.to_owned(),
            value: doc.value,
            lines: Some(doc.lines),
        })
    }

    pub fn get(&self, pointer: &str) -> Option<&Value> {
        self.value.pointer(pointer)
    }

    /// The line of a field (of its closest present parent when it is absent).
    pub fn line_of(&self, pointer: &str) -> u32 {
        self.lines.as_ref().map_or(1, |l| l.at(pointer).max(1))
    }
}

/// The kubelet of a node.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Kubelet {
    /// Its `--config` file (`KubeletConfiguration`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<YamlFile>,
    /// Its command line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<DockerdProcess>,
}

/// A control-plane static pod: its manifest and its first container's command line.
#[derive(Debug, Clone, Serialize)]
pub struct StaticPod {
    pub file: YamlFile,
    /// The container's name (`kube-apiserver`, `etcd`, `kube-controller-manager`,
    /// `kube-scheduler`).
    pub component: String,
    /// `command` + `args` of the container, as a command line.
    pub args: DockerdProcess,
}

impl StaticPod {
    pub fn from_file(file: YamlFile) -> Option<Self> {
        let c = file.get("/spec/containers/0")?;
        let component = c.get("name")?.as_str()?.to_owned();
        let words: Vec<String> = ["command", "args"]
            .iter()
            .filter_map(|k| c.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        Some(Self {
            file,
            component,
            args: DockerdProcess {
                pid: 0,
                args: words.into_iter().skip(1).collect(),
            },
        })
    }

    /// Where a flag is in the manifest (the container's command when it is absent).
    pub fn location(&self, flag: &str) -> (String, u32) {
        let prefix = format!("--{flag}");
        for key in ["command", "args"] {
            let list = self
                .file
                .get(&format!("/spec/containers/0/{key}"))
                .and_then(Value::as_array);
            for (i, v) in list.into_iter().flatten().enumerate() {
                if v.as_str()
                    .is_some_and(|a| a == prefix || a.starts_with(&format!("{prefix}=")))
                {
                    return (
                        self.file.path.clone(),
                        self.file.line_of(&format!("/spec/containers/0/{key}/{i}")),
                    );
                }
            }
        }
        (
            self.file.path.clone(),
            self.file.line_of("/spec/containers/0/command"),
        )
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "{0} bytes is larger than the {MAX_DAEMON_JSON} bytes a daemon configuration may have"
    )]
    TooLarge(usize),
    #[error("line {line}: {message}")]
    Syntax { line: usize, message: String },
    #[error("the configuration is not a JSON object")]
    NotAnObject,
}

impl DaemonConfig {
    /// Parses `daemon.json` (untrusted: bounded size, serde_json's depth limit).
    pub fn parse(path: &str, text: &str) -> Result<Self, ConfigError> {
        if text.len() > MAX_DAEMON_JSON {
            return Err(ConfigError::TooLarge(text.len()));
        }
        let value: Value = serde_json::from_str(text).map_err(|e| ConfigError::Syntax {
            line: e.line(),
            message: e.to_string(),
        })?;
        let Value::Object(settings) = value else {
            return Err(ConfigError::NotAnObject);
        };
        Ok(Self {
            path: path.to_owned(),
            settings,
            text: text.to_owned(),
        })
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.settings.get(key)
    }

    /// The line of a top-level key (1 when it is not found).
    pub fn line_of(&self, key: &str) -> u32 {
        let needle = format!("\"{key}\"");
        match self.text.find(&needle) {
            Some(at) => 1 + self.text[..at].bytes().filter(|b| *b == b'\n').count() as u32,
            None => 1,
        }
    }
}

impl DockerdProcess {
    /// Parses a NUL-separated `/proc/<pid>/cmdline`; the first word is the program.
    pub fn from_cmdline(pid: u32, raw: &[u8]) -> Self {
        let args = raw
            .split(|b| *b == 0)
            .skip(1)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        Self { pid, args }
    }

    /// Values of a flag given as `--name=value` or `--name value` (and `-H` for `--host`).
    pub fn values(&self, name: &str) -> Vec<String> {
        let long = format!("--{name}");
        let short = (name == "host").then_some("-H");
        let mut out = Vec::new();
        let mut it = self.args.iter().peekable();
        while let Some(a) = it.next() {
            let flag = a.split_once('=').map_or(a.as_str(), |(f, _)| f);
            if flag != long && Some(flag) != short {
                continue;
            }
            match a.split_once('=') {
                Some((_, v)) => out.push(v.to_owned()),
                None => {
                    if let Some(v) = it.next_if(|v| !v.starts_with('-')) {
                        out.push(v.clone());
                    }
                }
            }
        }
        out
    }

    /// A boolean flag: `--name` is true, `--name=false` false (Go's flag package takes no
    /// separate value for booleans); `None` when absent.
    pub fn boolean(&self, name: &str) -> Option<bool> {
        let long = format!("--{name}");
        let mut found = None;
        for a in &self.args {
            if *a == long {
                found = Some(true);
            } else if let Some(v) = a.strip_prefix(&long).and_then(|r| r.strip_prefix('=')) {
                found = Some(!matches!(v, "false" | "0" | "f" | "F" | "FALSE" | "False"));
            }
        }
        found
    }

    pub fn line(&self) -> String {
        format!("/proc/{}/cmdline", self.pid)
    }
}

/// Where a daemon setting came from, for the finding's location.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting {
    Flag(Vec<String>),
    Config(Value),
}

impl HostFacts {
    /// Whether a Docker daemon (running or configured) is part of this host.
    pub fn has_docker(&self) -> bool {
        self.docker_info.is_some() || self.dockerd.is_some() || self.daemon_config.is_some()
    }

    /// A daemon option: the command-line flag wins over the configuration file, as a conflict
    /// makes dockerd refuse to start. `flag` is the dockerd flag, `key` the daemon.json key.
    pub fn daemon_setting(&self, flag: &str, key: &str) -> Option<Setting> {
        if let Some(p) = &self.dockerd {
            let v = p.values(flag);
            if !v.is_empty() {
                return Some(Setting::Flag(v));
            }
            if let Some(b) = p.boolean(flag) {
                return Some(Setting::Flag(vec![b.to_string()]));
            }
        }
        self.daemon_config
            .as_ref()
            .and_then(|c| c.get(key))
            .map(|v| Setting::Config(v.clone()))
    }

    /// A boolean daemon option.
    pub fn daemon_bool(&self, flag: &str, key: &str) -> Option<bool> {
        if let Some(b) = self.dockerd.as_ref().and_then(|p| p.boolean(flag)) {
            return Some(b);
        }
        match self.daemon_config.as_ref().and_then(|c| c.get(key)) {
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) => Some(s == "true"),
            _ => None,
        }
    }

    /// A string-valued daemon option (first value).
    pub fn daemon_str(&self, flag: &str, key: &str) -> Option<String> {
        match self.daemon_setting(flag, key)? {
            Setting::Flag(v) => v.into_iter().next(),
            Setting::Config(Value::String(s)) => Some(s),
            Setting::Config(Value::Array(a)) => {
                a.first().and_then(|v| v.as_str()).map(str::to_owned)
            }
            Setting::Config(other) => Some(other.to_string()),
        }
    }

    /// A list-valued daemon option (every flag value, or the configuration's array).
    pub fn daemon_list(&self, flag: &str, key: &str) -> Vec<String> {
        match self.daemon_setting(flag, key) {
            Some(Setting::Flag(v)) => v,
            Some(Setting::Config(Value::Array(a))) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(Setting::Config(Value::String(s))) => vec![s],
            _ => Vec::new(),
        }
    }

    /// Where to point a finding about a daemon option: the flag's command line, the key's
    /// line in daemon.json, or the configuration file (line 1) when the option is unset.
    pub fn daemon_location(&self, flag: &str, key: &str) -> (String, u32) {
        if let Some(p) = &self.dockerd {
            if !p.values(flag).is_empty() || p.boolean(flag).is_some() {
                return (p.line(), 1);
            }
        }
        if let Some(c) = &self.daemon_config {
            return (c.path.clone(), c.line_of(key));
        }
        match &self.dockerd {
            Some(p) => (p.line(), 1),
            None => ("docker-info".into(), 1),
        }
    }

    /// `docker info` field by JSON pointer.
    pub fn info(&self, pointer: &str) -> Option<&Value> {
        self.docker_info.as_ref().and_then(|i| i.pointer(pointer))
    }

    /// The daemon's `SecurityOptions` (`name=seccomp,profile=default`, `name=userns`, ...).
    pub fn security_options(&self) -> Vec<&str> {
        self.info("/SecurityOptions")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// Whether an audit rule watches `path` (`-w PATH` or `-F path=` / `-F dir=`).
    pub fn audited(&self, path: &str) -> bool {
        let Some(rules) = &self.audit_rules else {
            return false;
        };
        rules
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with('#'))
            .any(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                words
                    .windows(2)
                    .any(|w| w[0] == "-w" && w[1].trim_end_matches('/') == path)
                    || words.iter().any(|w| {
                        w.strip_prefix("path=")
                            .or_else(|| w.strip_prefix("dir="))
                            .is_some_and(|p| p.trim_end_matches('/') == path)
                    })
            })
    }

    pub fn group_name(&self, gid: u32) -> Option<&str> {
        self.groups.get(&gid).map(String::as_str)
    }
}

/// A container's inspect document, with the accessors the runtime checks share.
pub struct Container<'a>(pub &'a Value, pub &'a [String]);

impl<'a> Container<'a> {
    pub fn of(facts: &'a ContainerFacts) -> Self {
        Self(&facts.inspect, &facts.processes)
    }

    pub fn processes(&self) -> &'a [String] {
        self.1
    }

    pub fn name(&self) -> String {
        self.0
            .pointer("/Name")
            .and_then(Value::as_str)
            .map(|n| n.trim_start_matches('/').to_owned())
            .unwrap_or_else(|| self.id().chars().take(12).collect())
    }

    pub fn id(&self) -> &'a str {
        self.0.pointer("/Id").and_then(Value::as_str).unwrap_or("")
    }

    pub fn host_config(&self, field: &str) -> Option<&'a Value> {
        self.0.pointer(&format!("/HostConfig/{field}"))
    }

    pub fn host_str(&self, field: &str) -> &'a str {
        self.host_config(field)
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn host_i64(&self, field: &str) -> i64 {
        self.host_config(field).and_then(Value::as_i64).unwrap_or(0)
    }

    pub fn host_bool(&self, field: &str) -> bool {
        self.host_config(field)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    pub fn host_list(&self, field: &str) -> Vec<&'a str> {
        self.host_config(field)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// `HostConfig.SecurityOpt` entries, `key=value` or `key:value` (older clients).
    pub fn security_opts(&self) -> Vec<(&'a str, &'a str)> {
        self.host_list("SecurityOpt")
            .into_iter()
            .map(|o| {
                o.split_once('=')
                    .or_else(|| o.split_once(':'))
                    .unwrap_or((o, ""))
            })
            .collect()
    }

    /// `Mounts` (what the container really has, binds and volumes).
    pub fn mounts(&self) -> Vec<&'a Value> {
        self.0
            .pointer("/Mounts")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }

    /// `(container port, host ip, host port)` of every published port.
    pub fn published_ports(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        let ports = self
            .0
            .pointer("/NetworkSettings/Ports")
            .and_then(Value::as_object);
        for (port, bindings) in ports.into_iter().flatten() {
            for b in bindings.as_array().into_iter().flatten() {
                let ip = b.get("HostIp").and_then(Value::as_str).unwrap_or("");
                let hp = b.get("HostPort").and_then(Value::as_str).unwrap_or("");
                out.push((port.clone(), ip.to_owned(), hp.to_owned()));
            }
        }
        out
    }

    pub fn location(&self) -> String {
        format!("container/{}", self.name())
    }
}
