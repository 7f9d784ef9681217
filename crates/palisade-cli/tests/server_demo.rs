//! `palisade server --demo` as a real process, started from an empty directory (the demo
//! material is in the binary): it prints a URL and an admin token, and the API then serves
//! the demo's alerts (audit and node), its image with the vulnerabilities the advisories give
//! its packages, recommendations, coverage and running containers. The expected values are
//! computed here from demo/ itself: the image layer's package databases against the advisory
//! slice (own apk version comparison, the OSV records' `versions` lists), the recorded sensor
//! alerts, and `palisade audit analyze` of the audit log.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo")
}

struct Demo {
    child: Child,
    url: String,
    token: String,
    client: reqwest::blocking::Client,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Demo {
    fn start(cwd: &Path) -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(["server", "--demo", "--listen", "127.0.0.1:0"])
            .current_dir(cwd)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (mut url, mut token) = (None, None);
        while url.is_none() || token.is_none() {
            match rx.recv_timeout(Duration::from_secs(300)) {
                Ok(line) => {
                    if let Some(u) = line.strip_prefix("Palisade demo server: ") {
                        url = Some(u.trim().trim_end_matches('/').to_string());
                    } else if let Some(t) = line.strip_prefix("Admin token: ") {
                        token = Some(t.trim().to_string());
                    }
                }
                Err(e) => {
                    let _ = child.kill();
                    let mut err = String::new();
                    child
                        .stderr
                        .take()
                        .unwrap()
                        .read_to_string(&mut err)
                        .unwrap();
                    panic!("no URL and token from `palisade server --demo` ({e}): {err}");
                }
            }
        }
        Demo {
            child,
            url: url.unwrap(),
            token: token.unwrap(),
            client: reqwest::blocking::Client::new(),
        }
    }

    fn get(&self, path: &str) -> Value {
        let r = self
            .client
            .get(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        serde_json::from_str(&r.text().unwrap()).unwrap()
    }
}

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap()
}

/// Alpine's version order for the forms in the demo: `1.1.1c-r0`, `2.4.38-r2`, `3.28.0-r1`.
fn apk_key(v: &str) -> (Vec<(u64, String)>, u64) {
    let (ver, rel) = v.split_once("-r").unwrap_or((v, "0"));
    let mut parts = Vec::new();
    for p in ver.split('.') {
        let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
        let rest: String = p.chars().skip(digits.len()).collect();
        parts.push((digits.parse().unwrap_or(0), rest));
    }
    (parts, rel.parse().unwrap_or(0))
}

/// The files of the image's only layer.
fn layer_files() -> BTreeMap<String, Vec<u8>> {
    let image = demo_dir().join("image");
    let blob = |d: &str| {
        image
            .join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    let index: Value =
        serde_json::from_slice(&std::fs::read(image.join("index.json")).unwrap()).unwrap();
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(blob(index["manifests"][0]["digest"].as_str().unwrap())).unwrap(),
    )
    .unwrap();
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    let gz = std::fs::File::open(blob(layers[0]["digest"].as_str().unwrap())).unwrap();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(gz));
    let mut files = BTreeMap::new();
    for e in tar.entries().unwrap() {
        let mut e = e.unwrap();
        let path = e.path().unwrap().to_string_lossy().to_string();
        if path == "lib/apk/db/installed" || path.ends_with(".dist-info/METADATA") {
            let mut b = Vec::new();
            e.read_to_end(&mut b).unwrap();
            files.insert(path, b);
        }
    }
    files
}

/// (package, vulnerability) pairs the advisory slice gives the image's packages, and how
/// many of them are in the KEV slice.
fn expected_findings() -> (BTreeMap<String, usize>, usize) {
    let files = layer_files();
    let demo = demo_dir();
    let mut per_package: BTreeMap<String, usize> = BTreeMap::new();
    let mut kev_hits = 0;
    let kev: Value =
        serde_json::from_slice(&std::fs::read(demo.join("advisories/kev.json")).unwrap()).unwrap();
    let kev: BTreeSet<&str> = kev["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["cveID"].as_str().unwrap())
        .collect();
    // secdb: origin → [(fixed version, ids)], read line by line.
    let secdb =
        std::fs::read_to_string(demo.join("advisories/alpine-secdb/v3.10-main.yaml")).unwrap();
    let mut fixes: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
    let mut pkg = String::new();
    for line in secdb.lines() {
        let t = line.trim();
        if let Some(n) = t.strip_prefix("name: ") {
            pkg = n.to_string();
        } else if t.ends_with(':') && t.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            let v = t.trim_end_matches(':').trim_matches('\'').to_string();
            fixes.entry(pkg.clone()).or_default().push((v, Vec::new()));
        } else if let Some(id) = t.strip_prefix("- ").filter(|x| !x.ends_with(':')) {
            if let Some(last) = fixes.get_mut(&pkg).and_then(|f| f.last_mut()) {
                last.1.push(id.to_string());
            }
        }
    }
    let installed = String::from_utf8(files["lib/apk/db/installed"].clone()).unwrap();
    for block in installed.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let field = |k: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{k}:")))
                .unwrap()
                .to_string()
        };
        let (name, version, origin) = (field("P"), field("V"), field("o"));
        let mut ids = BTreeSet::new();
        for (fixed, cves) in fixes.get(&origin).into_iter().flatten() {
            if apk_key(&version) < apk_key(fixed) {
                ids.extend(cves.iter().cloned());
            }
        }
        kev_hits += ids.iter().filter(|i| kev.contains(i.as_str())).count();
        if !ids.is_empty() {
            per_package.insert(name, ids.len());
        }
    }
    // PyPI: records whose `versions` list the installed version.
    let mut records = Vec::new();
    for e in std::fs::read_dir(demo.join("advisories/osv-pypi")).unwrap() {
        let v: Value = serde_json::from_slice(&std::fs::read(e.unwrap().path()).unwrap()).unwrap();
        records.push(v);
    }
    let norm = |s: &str| s.to_lowercase().replace(['_', '.'], "-");
    for (path, meta) in files.iter().filter(|(p, _)| p.ends_with("METADATA")) {
        let meta = String::from_utf8_lossy(meta);
        let field = |k: &str| {
            meta.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}: ")))
                .unwrap_or_else(|| panic!("{path}: no {k}"))
                .to_string()
        };
        let (name, version) = (field("Name"), field("Version"));
        let mut ids = BTreeSet::new();
        for r in &records {
            for a in r["affected"].as_array().unwrap() {
                let versions = a["versions"].as_array().cloned().unwrap_or_default();
                if norm(a["package"]["name"].as_str().unwrap_or("")) == norm(&name)
                    && versions
                        .iter()
                        .any(|v| v.as_str() == Some(version.as_str()))
                {
                    ids.insert(r["id"].as_str().unwrap().to_string());
                }
            }
        }
        if !ids.is_empty() {
            per_package.insert(name, ids.len());
        }
    }
    (per_package, kev_hits)
}

fn manifest_digest() -> String {
    let index: Value =
        serde_json::from_slice(&std::fs::read(demo_dir().join("image/index.json")).unwrap())
            .unwrap();
    index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Rule ids and the sum of their counts, per alert source, of JSON-lines alerts.
fn tally(lines: &str) -> (BTreeSet<String>, i64) {
    let mut ids = BTreeSet::new();
    let mut hits = 0;
    for l in lines.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(l).unwrap();
        ids.insert(v["rule_id"].as_str().unwrap().to_string());
        hits += v["count"].as_i64().unwrap_or(1).max(1);
    }
    (ids, hits)
}

#[test]
fn demo_serves_the_demo_material() {
    let cwd = tempfile::tempdir().unwrap();
    let demo = Demo::start(cwd.path());
    assert!(demo.url.starts_with("http://127.0.0.1:"), "{}", demo.url);

    // Alerts: every audit alert `audit analyze` makes of the log, every recorded node alert.
    let analyzed = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["audit", "analyze", "--cluster", "demo"])
        .arg(demo_dir().join("audit.log"))
        .output()
        .unwrap();
    assert!(analyzed.status.success());
    let (audit_rules, audit_hits) = tally(&String::from_utf8(analyzed.stdout).unwrap());
    let (node_rules, node_hits) =
        tally(&std::fs::read_to_string(demo_dir().join("sensor-alerts.jsonl")).unwrap());
    let alerts = demo.get("/api/v1/alerts?limit=500");
    assert!(alerts["next_cursor"].is_null());
    let mut got: BTreeMap<String, (BTreeSet<String>, i64)> = BTreeMap::new();
    for a in items(&alerts) {
        let e = got
            .entry(a["source"].as_str().unwrap().to_string())
            .or_default();
        e.0.insert(a["rule_id"].as_str().unwrap().to_string());
        e.1 += a["count"].as_i64().unwrap();
    }
    assert_eq!(got["audit"], (audit_rules.clone(), audit_hits));
    assert_eq!(got["node"], (node_rules.clone(), node_hits));
    // The attack story: cluster-admin bound, exec into kube-system, events deleted; on the
    // node, /etc/shadow read and a dropped binary run.
    for id in ["PAL-K8SAUDIT-015", "PAL-K8SAUDIT-023", "PAL-K8SAUDIT-060"] {
        assert!(audit_rules.contains(id), "{id}: {audit_rules:?}");
    }
    for id in ["PAL-NODE-011", "PAL-NODE-028"] {
        assert!(node_rules.contains(id), "{id}: {node_rules:?}");
    }

    // The image and its findings.
    let (expected, kev) = expected_findings();
    let total: usize = expected.values().sum();
    let digest = manifest_digest();
    let images = demo.get("/api/v1/images");
    assert_eq!(items(&images).len(), 1, "{images}");
    assert_eq!(items(&images)[0]["digest"], digest.as_str());
    let image = demo.get(&format!("/api/v1/images/{digest}"));
    let mut per_package: BTreeMap<String, usize> = BTreeMap::new();
    for f in image["vulnerabilities"].as_array().unwrap() {
        *per_package
            .entry(f["package"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(per_package, expected);
    assert_eq!(image["findings"], total as i64);
    assert_eq!(image["kev"], kev as i64);
    assert!(kev > 0, "the demo has a known-exploited vulnerability");

    // Recommendations: the mistakes written into demo/k8s.
    let recs = demo.get("/api/v1/recommendations?limit=500");
    let mut affected: BTreeSet<(String, String)> = BTreeSet::new();
    for r in items(&recs) {
        for a in r["affected"].as_array().unwrap() {
            assert!(a["file"].as_str().unwrap().starts_with("demo/k8s/"), "{a}");
            affected.insert((
                r["check_id"].as_str().unwrap().to_string(),
                a["name"].as_str().unwrap().to_string(),
            ));
        }
    }
    for (check, object) in [
        ("PAL-K8S-003", "shop-api"),           // privileged
        ("PAL-K8S-036", "shop-api"),           // hostPath /
        ("PAL-K8S-002", "shop-api"),           // hostPID
        ("PAL-K8S-038", "cache"),              // no memory limit
        ("PAL-K8S-041", "cache"),              // redis:latest
        ("PAL-K8S-032", "shop-api"),           // LoadBalancer
        ("PAL-K8S-073", "cache"),              // Redis' port exposed
        ("PAL-K8S-029", "shop-default-admin"), // cluster-admin for a service account
    ] {
        assert!(
            affected.contains(&(check.to_string(), object.to_string())),
            "{check} on {object}"
        );
    }

    // Coverage and the running containers, joined with the scan by image id.
    let hb: Value = serde_json::from_str(
        &std::fs::read_to_string(demo_dir().join("sensor-heartbeats.jsonl")).unwrap(),
    )
    .unwrap();
    let coverage = demo.get("/api/v1/coverage");
    let sensors = coverage["sensors"].as_array().unwrap();
    assert_eq!(sensors.len(), 1, "{coverage}");
    assert_eq!(sensors[0]["node"], hb["node"]);
    // The recorded alerts come from that sensor's node: it is not a node without a sensor.
    assert_eq!(
        coverage["nodes_without_sensor"],
        serde_json::json!([]),
        "{coverage}"
    );
    let containers = demo.get("/api/v1/containers");
    assert_eq!(
        items(&containers).len(),
        hb["containers"].as_array().unwrap().len()
    );
    for c in items(&containers) {
        assert_eq!(c["scan"]["digest"], digest.as_str(), "{c}");
        assert_eq!(c["scan"]["findings"], total as i64);
    }
}
