//! Shared helpers for the end-to-end tests: the real test images, the palisade binary, and a
//! real registry (Debian's docker-registry) on loopback.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The directory `tests/images/build.sh` filled. Tests fail (never skip) when it is missing.
pub fn images() -> PathBuf {
    let dir = std::env::var_os("PALISADE_TEST_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-images"));
    assert!(
        dir.join(".complete-v5").is_file(),
        "test images missing in {}: run `bash tests/images/build.sh test-images` (CI does)",
        dir.display()
    );
    dir
}

pub fn palisade(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .env("PALISADE_CACHE_DIR", cache)
        .env_remove("PALISADE_REGISTRY_USERNAME")
        .env_remove("PALISADE_REGISTRY_PASSWORD")
        .output()
        .expect("run palisade")
}

/// Runs `palisade sbom IMAGE -f json` and returns the inventory.
pub fn inventory(image: &str, cache: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["sbom", image, "-f", "json"];
    args.extend_from_slice(extra);
    let out = palisade(&args, cache);
    assert!(
        out.status.success(),
        "palisade sbom {image} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON inventory")
}

/// (ecosystem, name, version, first location path) of every package.
pub fn package_set(inventory: &Value) -> BTreeSet<(String, String, String, String)> {
    inventory["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["ecosystem"].as_str().unwrap_or_default().to_string(),
                p["name"].as_str().unwrap_or_default().to_string(),
                p["version"].as_str().unwrap_or_default().to_string(),
                p["locations"][0]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A Debian docker-registry process on 127.0.0.1, killed on drop.
pub struct Registry {
    child: Child,
    pub addr: String,
    _dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry; with `htpasswd = Some((user, password))` it requires basic auth.
    pub fn start(htpasswd: Option<(&str, &str)>) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n",
            dir.path().join("data").display()
        );
        if let Some((user, password)) = htpasswd {
            let file = dir.path().join("htpasswd");
            let out = Command::new("htpasswd")
                .args(["-Bbc", file.to_str().unwrap(), user, password])
                .output()
                .expect("htpasswd (apache2-utils) must be installed");
            assert!(out.status.success(), "htpasswd failed");
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: palisade-test\n    path: {}\n",
                file.display()
            ));
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("write config");
        let child = Command::new("docker-registry")
            .args(["serve", config_path.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry (Debian package) must be installed");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "registry did not start on {addr}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            child,
            addr,
            _dir: dir,
        }
    }

    /// Pushes a docker-archive into this registry with skopeo.
    pub fn push(&self, archive: &Path, repo: &str, creds: Option<&str>) {
        let mut cmd = Command::new("skopeo");
        cmd.args(["copy", "-q", "--dest-tls-verify=false"]);
        if let Some(creds) = creds {
            cmd.args(["--dest-creds", creds]);
        }
        let out = cmd
            .arg(format!("docker-archive:{}", archive.display()))
            .arg(format!("docker://{}/{repo}", self.addr))
            .output()
            .expect("skopeo must be installed");
        assert!(
            out.status.success(),
            "skopeo push failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
