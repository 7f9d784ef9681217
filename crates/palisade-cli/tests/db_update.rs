//! `palisade db update` over HTTP from a local feed server (ETag, Last-Modified, 304, NVD
//! paging), then `palisade image scan` of the real test image through the database, signed;
//! `db status`; `db export` / `db import` with signature checks.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use common::images;
use serde_json::Value;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn shared(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(path)
}

/// The feed server (tests/feeds/feed-server.py) over a directory of real and fixture feeds.
struct FeedServer {
    child: Child,
    port: u16,
    _root: tempfile::TempDir,
}

impl FeedServer {
    fn start() -> Self {
        let root = tempfile::tempdir().unwrap();
        let link = |from: PathBuf, to: &str| {
            let to = root.path().join(to);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(from.canonicalize().unwrap(), to).unwrap();
        };
        link(shared("osv/PyPI/all.zip"), "osv/PyPI/all.zip");
        link(shared("osv/Go/all.zip"), "osv/Go/all.zip");
        link(
            shared("kev/known_exploited_vulnerabilities.json"),
            "kev.json",
        );
        let vulndb = repo("crates/palisade-vulndb/fixtures");
        link(vulndb.join("debian-tracker/bookworm.json"), "debian/json");
        link(vulndb.join("epss/epss_scores-sample.csv.gz"), "epss.csv.gz");
        link(vulndb.join("nvd/page-0.json"), "nvd-api/page-0.json");
        link(
            vulndb.join("nvd-modified/page-0.json"),
            "nvd-api/modified-page-0.json",
        );
        let port_file = root.path().join("port");
        let child = Command::new("python3")
            .arg(repo("tests/feeds/feed-server.py"))
            .arg(root.path())
            .arg(&port_file)
            .spawn()
            .expect("start the feed server");
        let deadline = Instant::now() + Duration::from_secs(20);
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                break text.trim().parse().unwrap();
            }
            assert!(Instant::now() < deadline, "feed server did not start");
            std::thread::sleep(Duration::from_millis(50));
        };
        Self {
            child,
            port,
            _root: root,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    /// Every request seen: [path, If-None-Match, If-Modified-Since].
    fn requests(&self) -> Vec<Value> {
        let out = Command::new("python3")
            .args([
                "-c",
                "import sys,urllib.request;sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())",
                &self.url("_requests"),
            ])
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }
}

impl Drop for FeedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn palisade(args: &[&str], db: &Path, cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .env("PALISADE_DB_DIR", db)
        .env("PALISADE_CACHE_DIR", cache)
        .env_remove("NVD_API_KEY")
        .output()
        .expect("run palisade")
}

fn ok(out: &Output) -> &Output {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn update_args(server: &FeedServer) -> Vec<String> {
    let mut args: Vec<String> = vec!["db".into(), "update".into(), "-f".into(), "json".into()];
    for (feed, path) in [
        ("osv-pypi", "osv/PyPI/all.zip"),
        ("osv-go", "osv/Go/all.zip"),
        ("kev", "kev.json"),
        ("debian-tracker", "debian/json"),
        ("epss", "epss.csv.gz"),
        ("nvd", "rest/json/cves/2.0"),
    ] {
        args.push("--feed".into());
        args.push(feed.into());
        args.push("--source".into());
        args.push(format!("{feed}={}", server.url(path)));
    }
    args
}

fn results(out: &Output) -> Vec<(String, String)> {
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap().to_string(),
                o["result"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn update_over_http_is_conditional_then_the_scan_is_correct_prioritised_and_signed() {
    let server = FeedServer::start();
    let db = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let args = update_args(&server);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let first = palisade(&args, db.path(), cache.path());
    ok(&first);
    assert!(
        results(&first).iter().all(|(_, r)| r == "updated"),
        "{:?}",
        results(&first)
    );
    // Second run: every file feed answers 304 to its validators; nothing is re-ingested.
    let second = palisade(&args, db.path(), cache.path());
    ok(&second);
    for (name, result) in results(&second) {
        let expected = if name == "nvd" {
            "updated"
        } else {
            "unchanged"
        };
        assert_eq!(result, expected, "{name}");
    }
    let requests = server.requests();
    // NVD: the second update asked only for what changed since the first.
    let nvd: Vec<&str> = requests
        .iter()
        .map(|r| r[0].as_str().unwrap())
        .filter(|p| p.starts_with("/rest/json/cves/2.0"))
        .collect();
    assert_eq!(nvd.len(), 2, "{nvd:?}");
    assert!(!nvd[0].contains("lastModStartDate"));
    assert!(nvd[1].contains("lastModStartDate=") && nvd[1].contains("lastModEndDate="));
    let conditional = requests
        .iter()
        .filter(|r| r[0].as_str().unwrap().ends_with("all.zip") && r[1].is_string())
        .count();
    assert_eq!(conditional, 2, "{requests:?}");

    // Status reports every feed.
    let status = palisade(&["db", "status", "-f", "json"], db.path(), cache.path());
    ok(&status);
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["feeds"].as_array().unwrap().len(), 6);
    assert!(status["counts"]["advisories"].as_u64().unwrap() > 6000);

    // Scan the real Debian 12 test image through the database.
    let image = format!(
        "docker-archive:{}",
        images().join("app-docker.tar").display()
    );
    let scan = palisade(
        &["image", "scan", &image, "-f", "json"],
        db.path(),
        cache.path(),
    );
    ok(&scan);
    let report: Value = serde_json::from_slice(&scan.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let find = |id: &str, package: &str| {
        findings
            .iter()
            .find(|f| {
                f["package"] == package
                    && (f["id"] == id
                        || f["aliases"]
                            .as_array()
                            .is_some_and(|a| a.iter().any(|x| x == id)))
            })
            .unwrap_or_else(|| panic!("{id} in {package} missing"))
    };
    let requests = find("CVE-2018-18074", "requests");
    assert_eq!(requests["severity"], "HIGH");
    assert_eq!(requests["severity_source"], "nvd");
    assert_eq!(requests["fixed_version"], "2.20.0");
    assert_eq!(requests["status"], "fixed");
    assert!(requests["epss"]["score"].as_f64().unwrap() > 0.0);
    // Rated from the NVD change fetched by the incremental update.
    let cookie = find("CVE-2023-43804", "urllib3");
    assert_eq!(cookie["cvss"]["score"], 7.4);
    assert_eq!(cookie["cwes"][0], "CWE-200");
    // Debian packages by source package and release, with Debian's verdict.
    let tar = find("CVE-2005-2541", "tar");
    assert_eq!(tar["status"], "will_not_fix");
    assert_eq!(tar["severity_source"], "debian");
    find("CVE-2011-3374", "apt");
    assert!(
        !findings.iter().any(|f| f["id"] == "CVE-2023-4911"),
        "glibc in the image is past Debian's fix"
    );
    // Ranked: severities never increase down the list (no KEV entries in this image).
    let order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];
    let ranks: Vec<usize> = findings
        .iter()
        .filter(|f| f["kev"].is_null())
        .map(|f| order.iter().position(|s| f["severity"] == *s).unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    // The report names the database it came from.
    assert!(report["databases"][0]["digest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));

    // CycloneDX carries the CWE, status, rating source and EPSS.
    let cdx = palisade(
        &["image", "scan", &image, "-f", "cyclonedx"],
        db.path(),
        cache.path(),
    );
    ok(&cdx);
    let cdx: Value = serde_json::from_slice(&cdx.stdout).unwrap();
    let vuln = cdx["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "CVE-2023-43804")
        .unwrap();
    assert_eq!(vuln["cwes"][0], 200);
    let prop = |name: &str| {
        vuln["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].as_str().unwrap().to_string())
    };
    assert_eq!(
        prop("palisade:vulnerability:status").as_deref(),
        Some("fixed")
    );
    assert_eq!(
        prop("palisade:vulnerability:severity-source").as_deref(),
        Some("nvd")
    );
    assert!(prop("palisade:epss:score").is_some());

    // --severity and --ignore-unfixed filter.
    let high = palisade(
        &[
            "image",
            "scan",
            &image,
            "-f",
            "json",
            "--severity",
            "high,critical",
            "--ignore-unfixed",
        ],
        db.path(),
        cache.path(),
    );
    ok(&high);
    let high: Value = serde_json::from_slice(&high.stdout).unwrap();
    let high = high["findings"].as_array().unwrap();
    assert!(!high.is_empty());
    assert!(high.iter().all(
        |f| (f["severity"] == "HIGH" || f["severity"] == "CRITICAL") && f["status"] == "fixed"
    ));

    // Signed: the envelope verifies with the public key.
    let keys = tempfile::tempdir().unwrap();
    let prefix = keys.path().join("signer");
    ok(&palisade(
        &["keygen", "--output", prefix.to_str().unwrap()],
        db.path(),
        cache.path(),
    ));
    let signed_path = keys.path().join("report.dsse.json");
    ok(&palisade(
        &[
            "image",
            "scan",
            &image,
            "-f",
            "json",
            "--sign",
            &format!("{}.key", prefix.display()),
            "-o",
            signed_path.to_str().unwrap(),
        ],
        db.path(),
        cache.path(),
    ));
    ok(&palisade(
        &[
            "report",
            "verify",
            "--key",
            &format!("{}.pub", prefix.display()),
            signed_path.to_str().unwrap(),
        ],
        db.path(),
        cache.path(),
    ));
}

#[test]
fn a_missing_database_is_a_clear_error() {
    let db = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let out = palisade(&["db", "status"], db.path(), cache.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("palisade db update"));
}

#[test]
fn an_unreachable_feed_fails_the_update_but_keeps_the_rest() {
    let server = FeedServer::start();
    let db = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let out = palisade(
        &[
            "db",
            "update",
            "-f",
            "json",
            "--feed",
            "kev",
            "--source",
            &format!("kev={}", server.url("kev.json")),
            "--feed",
            "epss",
            "--source",
            &format!("epss={}", server.url("missing.csv")),
        ],
        db.path(),
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let results = results(&out);
    assert!(
        results.contains(&("kev".into(), "updated".into())),
        "{results:?}"
    );
    assert!(
        results.contains(&("epss".into(), "failed".into())),
        "{results:?}"
    );
}

#[test]
fn export_and_import_a_signed_offline_bundle() {
    let db = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    ok(&palisade(
        &[
            "db",
            "update",
            "--feed",
            "kev",
            "--source",
            &format!(
                "kev={}",
                shared("kev/known_exploited_vulnerabilities.json").display()
            ),
            "--feed",
            "osv-go",
            "--source",
            &format!("osv-go={}", shared("osv/Go/all.zip").display()),
        ],
        db.path(),
        cache.path(),
    ));
    let prefix = work.path().join("publisher");
    ok(&palisade(
        &["keygen", "--output", prefix.to_str().unwrap()],
        db.path(),
        cache.path(),
    ));
    let other = work.path().join("other");
    ok(&palisade(
        &["keygen", "--output", other.to_str().unwrap()],
        db.path(),
        cache.path(),
    ));
    let bundle = work.path().join("palisade-db.tar");
    ok(&palisade(
        &[
            "db",
            "export",
            bundle.to_str().unwrap(),
            "--key",
            &format!("{}.key", prefix.display()),
        ],
        db.path(),
        cache.path(),
    ));
    // Import into an empty directory (an air-gapped machine).
    let target = tempfile::tempdir().unwrap();
    ok(&palisade(
        &[
            "db",
            "import",
            bundle.to_str().unwrap(),
            "--key",
            &format!("{}.pub", prefix.display()),
        ],
        target.path(),
        cache.path(),
    ));
    let status = ok(&palisade(
        &["db", "status", "-f", "json"],
        target.path(),
        cache.path(),
    ))
    .stdout
    .clone();
    let status: Value = serde_json::from_slice(&status).unwrap();
    assert_eq!(status["feeds"].as_array().unwrap().len(), 2);
    assert_eq!(
        std::fs::read(db.path().join("vuln.db")).unwrap(),
        std::fs::read(target.path().join("vuln.db")).unwrap()
    );
    // The wrong key is refused and nothing is installed.
    let refused = tempfile::tempdir().unwrap();
    let out = palisade(
        &[
            "db",
            "import",
            bundle.to_str().unwrap(),
            "--key",
            &format!("{}.pub", other.display()),
        ],
        refused.path(),
        cache.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not verify"));
    assert!(!refused.path().join("vuln.db").exists());
    // A tampered database (one byte flipped in the bundle's last entry) is refused.
    let mut bytes = std::fs::read(&bundle).unwrap();
    let at = bytes.len() - 4096;
    bytes[at] ^= 0xff;
    let tampered = work.path().join("tampered.tar");
    std::fs::write(&tampered, bytes).unwrap();
    let out = palisade(
        &[
            "db",
            "import",
            tampered.to_str().unwrap(),
            "--key",
            &format!("{}.pub", prefix.display()),
        ],
        refused.path(),
        cache.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!refused.path().join("vuln.db").exists());
}

#[test]
fn rpm_packages_match_by_distribution_release_and_epoch_aware_versions() {
    let db = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let rocky = repo("crates/palisade-vulndb/fixtures/osv-rocky");
    ok(&palisade(
        &[
            "db",
            "update",
            "--feed",
            "osv-rocky",
            "--source",
            &format!("osv-rocky={}", rocky.display()),
        ],
        db.path(),
        cache.path(),
    ));
    let image = format!(
        "docker-archive:{}",
        images().join("rpm-docker.tar").display()
    );
    let scan = ok(&palisade(
        &["image", "scan", &image, "-f", "json"],
        db.path(),
        cache.path(),
    ))
    .stdout
    .clone();
    let report: Value = serde_json::from_slice(&scan).unwrap();
    let ids: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["package"].as_str().unwrap(), f["id"].as_str().unwrap()))
        .collect();
    // 1:2.4.1-3.el9 is below the fix 1:2.4.1-4.el9, above 1:2.4.1-2.el9; the Rocky 8 entry
    // does not apply to a Rocky 9 image.
    assert_eq!(ids, vec![("palisade-app", "CVE-2099-10001")]);
}

/// A SUSE root filesystem: the ndb rpm database fixture and the os-release of `os_release`.
fn suse_root(os_release: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let rpm = root.path().join("usr/lib/sysimage/rpm");
    std::fs::create_dir_all(&rpm).unwrap();
    std::fs::create_dir_all(root.path().join("etc")).unwrap();
    std::fs::copy(
        repo("crates/palisade-catalog/fixtures/rpm-ndb/Packages.db"),
        rpm.join("Packages.db"),
    )
    .unwrap();
    std::fs::copy(
        repo(&format!(
            "crates/palisade-catalog/fixtures/os-release/{os_release}"
        )),
        root.path().join("etc/os-release"),
    )
    .unwrap();
    root
}

#[test]
fn suse_packages_from_the_ndb_database_match_their_code_stream() {
    let db = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let suse = repo("crates/palisade-vulndb/fixtures/osv-suse");
    ok(&palisade(
        &[
            "db",
            "update",
            "--feed",
            "osv-suse",
            "--source",
            &format!("osv-suse={}", suse.display()),
        ],
        db.path(),
        cache.path(),
    ));
    let findings = |root: &tempfile::TempDir| -> Vec<(String, String)> {
        let target = format!("dir:{}", root.path().display());
        let out = ok(&palisade(
            &["image", "scan", &target, "-f", "json"],
            db.path(),
            cache.path(),
        ))
        .stdout
        .clone();
        let report: Value = serde_json::from_slice(&out).unwrap();
        let mut ids: Vec<(String, String)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["package"].as_str().unwrap().to_string(),
                    f["id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        ids.sort();
        ids
    };
    // SLES 15 SP5: records filed under the Basesystem module and SLES for SAP of SP5 apply
    // (below their fixes), the LTSS one does not (0.9-1 is its fix), SP4 and Leap do not.
    let sles = suse_root("sles-15.5");
    assert_eq!(
        findings(&sles),
        vec![
            ("palisade-hello".to_string(), "CVE-2099-20001".to_string()),
            ("palisade-zero".to_string(), "CVE-2099-20002".to_string()),
        ]
    );
    // openSUSE Leap 15.5: only the Leap entry, for palisade-big and for palisade-big-libs,
    // which is built from the palisade-big source package (RPM lookups use both names).
    let leap = suse_root("opensuse-leap-15.5");
    assert_eq!(
        findings(&leap),
        vec![
            ("palisade-big".to_string(), "CVE-2099-20001".to_string()),
            (
                "palisade-big-libs".to_string(),
                "CVE-2099-20001".to_string()
            ),
        ]
    );
}
