//! A real registry (Debian's docker-registry, distribution 2.8) behind token (bearer)
//! authentication, with `tests/images/token-server.py` as its token server: the flow Docker
//! Hub, GHCR and Harbor use. Both processes listen on loopback only and are killed on drop.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::free_port;

pub const USER: &str = "alice";
pub const PASSWORD: &str = "s3cret-pw";
pub const SERVICE: &str = "palisade-test";
pub const ISSUER: &str = "palisade-test-issuer";

/// Debian's python (it sees the apt-installed python3-jwt and python3-cryptography; a pyenv
/// `python3` first on PATH would not). `PALISADE_TEST_PYTHON` overrides it.
fn python() -> PathBuf {
    std::env::var_os("PALISADE_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/python3"))
}

fn token_server_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/images/token-server.py")
}

fn wait_for_port(addr: &str, child: &mut Child, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(addr).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{what} exited with {status} before listening on {addr}:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not start on {addr}:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A token server and a registry trusting it.
pub struct TokenRegistry {
    // Dropped in declaration order: the registry first, then the token server, then the files.
    registry: Killed,
    token_server: Killed,
    /// host:port of the registry.
    pub addr: String,
    /// The token endpoint the registry's challenge points at.
    pub realm: String,
    dir: tempfile::TempDir,
}

impl TokenRegistry {
    /// Starts both; with `anonymous_pull` the token server hands pull tokens to anonymous
    /// clients (Docker Hub's public images), otherwise only `alice` gets tokens.
    pub fn start(anonymous_pull: bool) -> Self {
        Self::start_with(anonymous_pull, false)
    }

    /// With `kid_only` the JWT header names the signing key by its libtrust key id (`kid`)
    /// instead of carrying the certificate (`x5c`); distribution 2.8 accepts both.
    pub fn start_with(anonymous_pull: bool, kid_only: bool) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let cert = dir.path().join("token-signer.pem");
        let token_port = free_port();
        let token_addr = format!("127.0.0.1:{token_port}");
        let realm = format!("http://{token_addr}/token");

        let token_log = dir.path().join("token-server.stderr");
        let mut cmd = Command::new(python());
        cmd.arg(token_server_script())
            .args(["--port", &token_port.to_string()])
            .arg("--cert")
            .arg(&cert)
            .arg("--log")
            .arg(dir.path().join("issued.jsonl"))
            .args(["--service", SERVICE, "--issuer", ISSUER]);
        if anonymous_pull {
            cmd.arg("--anonymous-pull");
        }
        if kid_only {
            cmd.arg("--kid-only");
        }
        let mut token_server = cmd
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&token_log).expect("token server log"))
            .spawn()
            .expect("/usr/bin/python3 must be installed (with python3-jwt, python3-cryptography)");
        wait_for_port(&token_addr, &mut token_server, "token server", &token_log);
        let token_server = Killed(token_server);
        assert!(cert.is_file(), "token server wrote no certificate");

        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let config = format!(
            "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {data}\nhttp:\n  addr: {addr}\nauth:\n  token:\n    realm: {realm}\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {cert}\n",
            data = dir.path().join("data").display(),
            cert = cert.display(),
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("write config");
        let registry_log = dir.path().join("registry.log");
        let mut registry = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&registry_log).expect("registry log"))
            .spawn()
            .expect("docker-registry (Debian package) must be installed");
        wait_for_port(&addr, &mut registry, "docker-registry", &registry_log);
        Self {
            registry: Killed(registry),
            token_server,
            addr,
            realm,
            dir,
        }
    }

    /// Pushes a docker-archive as `alice`; skopeo performs the bearer flow for the push.
    pub fn push(&self, archive: &Path, repo: &str) {
        let out = Command::new("skopeo")
            .args(["copy", "-q", "--dest-tls-verify=false", "--dest-creds"])
            .arg(format!("{USER}:{PASSWORD}"))
            .arg(format!("docker-archive:{}", archive.display()))
            .arg(format!("docker://{}/{repo}", self.addr))
            .output()
            .expect("skopeo must be installed");
        assert!(
            out.status.success(),
            "skopeo push failed: {}\nregistry log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.registry_log()
        );
    }

    /// Every token the token server issued so far: `{"sub": ..., "access": [...]}`.
    pub fn issued(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("issued.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("issued-token log line"))
            .collect()
    }

    pub fn registry_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// Status line and `WWW-Authenticate` header of an unauthenticated `GET /v2/`.
    pub fn challenge(&self) -> (String, Option<String>) {
        let mut stream = TcpStream::connect(&self.addr).expect("connect to registry");
        write!(
            stream,
            "GET /v2/ HTTP/1.0\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .expect("send request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read response");
        let head = response.split("\r\n\r\n").next().unwrap_or_default();
        let mut lines = head.lines();
        let status = lines.next().unwrap_or_default().to_string();
        let challenge = lines
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("www-authenticate"))
            .map(|(_, v)| v.trim().to_string());
        (status, challenge)
    }
}
