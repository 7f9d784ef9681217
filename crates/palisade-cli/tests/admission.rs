//! `palisade admission`: the real binary serving over TLS, `check` and `manifests`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../palisade-admission/tests/fixtures"
);

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_self_signed_answers_reviews_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("ca.pem");
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args([
                "admission",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--self-signed",
            ])
            .arg("--write-cert")
            .arg(&cert)
            .arg("--policy")
            .arg(fixture("policies.yaml"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    // The address is logged once listening.
    let stderr = BufReader::new(child.0.stderr.take().unwrap());
    let mut port = None;
    for line in stderr.lines() {
        let line = line.unwrap();
        if let Some(rest) = line.split("https://127.0.0.1:").nth(1) {
            port = rest.split('/').next().map(|p| p.parse::<u16>().unwrap());
            break;
        }
    }
    let port = port.expect("no listening address logged");
    let client = reqwest::blocking::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap(),
        )
        .tls_built_in_root_certs(false)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let url = format!("https://127.0.0.1:{port}/validate");
    let post = |body: Vec<u8>| {
        let resp = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.text().unwrap())
    };
    let (status, text) =
        post(std::fs::read(fixture("reviews/deployment-create-privileged.json")).unwrap());
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["response"]["uid"], "0df28fbd-5f5f-11e8-bc74-36e6bb280816");
    assert_eq!(v["response"]["allowed"], false);
    let msg = v["response"]["status"]["message"].as_str().unwrap();
    assert!(
        msg.contains("[pss-baseline] PAL-K8S-003") && msg.contains("container \"nginx\""),
        "{msg}"
    );
    let (status, text) =
        post(std::fs::read(fixture("reviews/deployment-create-dryrun-allowed.json")).unwrap());
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["response"]["allowed"], true, "{v}");
    let (status, text) = post(b"{\"apiVersion\":\"admission.k8s.io/v1\"".to_vec());
    assert_eq!(status, 400);
    assert!(text.contains("not a JSON AdmissionReview"), "{text}");
}

#[test]
fn check_decides_review_files() {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["admission", "check", "--policy"])
        .arg(fixture("policies.yaml"))
        .arg(fixture("reviews/deployment-create-dryrun-allowed.json"))
        .arg(fixture("reviews/pod-ephemeralcontainers-update.json"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["response"]["allowed"], true);
    assert_eq!(lines[1]["response"]["allowed"], false);
    let msg = lines[1]["response"]["status"]["message"].as_str().unwrap();
    assert!(
        msg.contains("ephemeral container \"debugger-x7k2\""),
        "{msg}"
    );
    assert!(!msg.contains("container \"app\""), "{msg}");
    // A broken policy file is an error (exit 2) naming the problem.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "apiVersion: palisade.dev/v1alpha1\nkind: AdmissionPolicy\npolicies:\n- {name: a, mode: enforce, posture: {checks: [PAL-K8S-999]}}\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["admission", "check", "--policy"])
        .arg(&bad)
        .arg(fixture("reviews/deployment-create-privileged.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PAL-K8S-999"));
}

#[test]
fn manifests_print_the_webhook_configuration() {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "admission",
            "manifests",
            "--namespace",
            "sec",
            "--failure-policy",
            "ignore",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("kind: ValidatingWebhookConfiguration"));
    assert!(text.contains("failurePolicy: Ignore"));
    assert!(text.contains("values: [sec, kube-system]"));
    assert!(text.contains("timeoutSeconds: 3"));
}
