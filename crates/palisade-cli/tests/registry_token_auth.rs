//! `palisade sbom REGISTRY/REPO:TAG` against a real registry (Debian's docker-registry,
//! distribution 2.8) with token (bearer) authentication, as Docker Hub, GHCR and Harbor use:
//! the registry answers 401 with `WWW-Authenticate: Bearer realm=...,service=...`, the client
//! fetches a JWT from the token server (`tests/images/token-server.py`) and retries with
//! `Authorization: Bearer`. Nothing here is mocked but the token server, which is the real
//! protocol with a real signature the registry verifies.

mod common;
#[path = "common/token.rs"]
mod token;

use std::path::Path;
use std::process::{Command, Output};

use common::{images, inventory, package_set};
use serde_json::Value;
use token::{TokenRegistry, PASSWORD, USER};

/// Runs `palisade sbom IMAGE -f json` with a fresh cache (so every blob is fetched from the
/// registry) and no Docker config, optionally as `alice` (password through the environment).
fn sbom(image: &str, user: Option<(&str, &str)>) -> Output {
    let cache = tempfile::tempdir().unwrap();
    let docker_config = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_palisade"));
    cmd.args(["sbom", image, "-f", "json"])
        .env("PALISADE_CACHE_DIR", cache.path())
        .env("DOCKER_CONFIG", docker_config.path())
        .env_remove("PALISADE_REGISTRY_USERNAME")
        .env_remove("PALISADE_REGISTRY_PASSWORD");
    if let Some((user, password)) = user {
        cmd.args(["--username", user])
            .env("PALISADE_REGISTRY_PASSWORD", password);
    }
    cmd.output().expect("run palisade")
}

fn expected_packages(
    archive: &Path,
) -> std::collections::BTreeSet<(String, String, String, String)> {
    let cache = tempfile::tempdir().unwrap();
    let set = package_set(&inventory(
        &format!("docker-archive:{}", archive.display()),
        cache.path(),
        &[],
    ));
    assert!(!set.is_empty(), "the test image has packages");
    set
}

/// Tokens issued to `subject` that grant `pull` on `repo`.
fn pull_tokens(issued: &[Value], subject: &str, repo: &str) -> usize {
    issued
        .iter()
        .filter(|t| t["sub"] == subject)
        .filter(|t| {
            t["access"].as_array().is_some_and(|a| {
                a.iter().any(|r| {
                    r["type"] == "repository"
                        && r["name"] == repo
                        && r["actions"]
                            .as_array()
                            .is_some_and(|acts| acts.iter().any(|x| x == "pull"))
                })
            })
        })
        .count()
}

fn assert_bearer_challenge(registry: &TokenRegistry) {
    let (status, challenge) = registry.challenge();
    assert!(
        status.contains(" 401 "),
        "registry must demand auth: {status}"
    );
    let challenge = challenge.expect("WWW-Authenticate header");
    assert!(
        challenge.starts_with("Bearer ")
            && challenge.contains(&format!("realm=\"{}\"", registry.realm))
            && challenge.contains(&format!("service=\"{}\"", token::SERVICE)),
        "not a bearer challenge: {challenge}"
    );
}

#[test]
fn token_auth_with_credentials_and_denied_without() {
    let archive = images().join("app-docker.tar");
    let expected = expected_packages(&archive);

    let registry = TokenRegistry::start(false);
    assert_bearer_challenge(&registry);
    registry.push(&archive, "palisade/app:1");
    let pushed = registry.issued();
    assert!(
        pushed.iter().all(|t| t["sub"] == USER),
        "only alice gets tokens here: {pushed:?}"
    );
    let image = format!("{}/palisade/app:1", registry.addr);

    // Anonymous: the token server refuses, the registry answers 401, palisade fails cleanly.
    let denied = sbom(&image, None);
    let stderr = String::from_utf8_lossy(&denied.stderr);
    assert_eq!(
        denied.status.code(),
        Some(2),
        "anonymous pull must fail with exit code 2: {stderr}"
    );
    assert!(
        stderr.contains("palisade/app:1") && stderr.to_lowercase().contains("authorized"),
        "the error names the image and the refusal: {stderr}"
    );
    assert!(denied.stdout.is_empty(), "no inventory on failure");
    assert_eq!(registry.issued().len(), pushed.len(), "no token for anyone");

    // A wrong password is refused the same way.
    let wrong = sbom(&image, Some((USER, "not-the-password")));
    assert_eq!(
        wrong.status.code(),
        Some(2),
        "wrong password must fail: {}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    assert_eq!(
        registry.issued().len(),
        pushed.len(),
        "no token for a wrong password"
    );

    // alice: basic credentials to the token server, bearer token to the registry.
    let out = sbom(&image, Some((USER, PASSWORD)));
    assert!(
        out.status.success(),
        "palisade sbom {image} --username {USER} failed: {}\nregistry log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        registry.registry_log()
    );
    let pulled: Value = serde_json::from_slice(&out.stdout).expect("JSON inventory");
    assert_eq!(package_set(&pulled), expected);
    assert!(pulled["artifact"]["manifest_digest"]
        .as_str()
        .is_some_and(|d| d.starts_with("sha256:")));

    let issued = registry.issued();
    let new = &issued[pushed.len()..];
    assert!(
        pull_tokens(new, USER, "palisade/app") >= 1,
        "palisade must have fetched a pull token as alice: {new:?}"
    );
    assert!(
        new.iter().all(|t| t["sub"] == USER),
        "every token went to alice: {new:?}"
    );
}

#[test]
fn token_auth_anonymous_pull_like_docker_hub() {
    let archive = images().join("app-docker.tar");
    let expected = expected_packages(&archive);

    let registry = TokenRegistry::start(true);
    assert_bearer_challenge(&registry);
    registry.push(&archive, "palisade/app:1");
    let pushed = registry.issued().len();
    let image = format!("{}/palisade/app:1", registry.addr);

    let out = sbom(&image, None);
    assert!(
        out.status.success(),
        "anonymous palisade sbom {image} failed: {}\nregistry log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        registry.registry_log()
    );
    let pulled: Value = serde_json::from_slice(&out.stdout).expect("JSON inventory");
    assert_eq!(package_set(&pulled), expected);

    let issued = registry.issued();
    let new = &issued[pushed..];
    assert!(
        pull_tokens(new, "", "palisade/app") >= 1,
        "palisade must have fetched an anonymous pull token: {new:?}"
    );
    assert!(
        new.iter().all(|t| t["sub"] == ""),
        "anonymous tokens only: {new:?}"
    );
    // Anonymous tokens never carry push.
    assert!(new.iter().all(
        |t| t["access"].as_array().unwrap().iter().all(|r| r["actions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a == "pull"))
    ));

    // Credentials work here too, and get their own (alice) token.
    let out = sbom(&image, Some((USER, PASSWORD)));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pulled: Value = serde_json::from_slice(&out.stdout).expect("JSON inventory");
    assert_eq!(package_set(&pulled), expected);
    assert!(pull_tokens(&registry.issued()[pushed..], USER, "palisade/app") >= 1);
}

/// The other header form distribution verifies: no certificate in the token, only `kid`, the
/// libtrust fingerprint of a key in the registry's `rootcertbundle`.
#[test]
fn token_signed_with_kid_only() {
    let archive = images().join("app-docker.tar");
    let expected = expected_packages(&archive);

    let registry = TokenRegistry::start_with(false, true);
    assert_bearer_challenge(&registry);
    registry.push(&archive, "palisade/app:1");
    let pushed = registry.issued().len();
    let image = format!("{}/palisade/app:1", registry.addr);

    let out = sbom(&image, Some((USER, PASSWORD)));
    assert!(
        out.status.success(),
        "{}\nregistry log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        registry.registry_log()
    );
    let pulled: Value = serde_json::from_slice(&out.stdout).expect("JSON inventory");
    assert_eq!(package_set(&pulled), expected);
    assert!(pull_tokens(&registry.issued()[pushed..], USER, "palisade/app") >= 1);
}
