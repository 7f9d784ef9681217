//! Every image source on the same real image: the results must agree.

mod common;

use common::{images, inventory, package_set, palisade, Registry};

#[test]
fn all_image_forms_give_the_same_packages() {
    let images = images();
    let cache = tempfile::tempdir().unwrap();
    let archive = images.join("app-docker.tar");
    let reference = inventory(
        &format!("docker-archive:{}", archive.display()),
        cache.path(),
        &[],
    );
    let expected = package_set(&reference);
    assert!(expected.len() > 80, "too few packages: {}", expected.len());

    let forms = [
        format!(
            "docker-archive:{}",
            images.join("app-docker.tar.gz").display()
        ),
        format!("oci:{}:1", images.join("app-oci").display()),
        images.join("app-oci").display().to_string(),
        "docker:palisade-test/app:1".to_string(),
    ];
    for form in &forms {
        let found = package_set(&inventory(form, cache.path(), &["--no-cache"]));
        assert_eq!(found, expected, "{form} disagrees with the docker-archive");
    }
    // The exported filesystem has no layers, but the same files.
    let dir = inventory(
        &format!("dir:{}", images.join("app-rootfs").display()),
        cache.path(),
        &[],
    );
    assert_eq!(package_set(&dir), expected, "dir: disagrees");
}

#[test]
fn registry_anonymous_and_with_htpasswd() {
    let images = images();
    let archive = images.join("app-docker.tar");
    let cache = tempfile::tempdir().unwrap();
    let expected = package_set(&inventory(
        &format!("docker-archive:{}", archive.display()),
        cache.path(),
        &[],
    ));

    let open = Registry::start(None);
    open.push(&archive, "palisade/app:1", None);
    let pulled = inventory(&format!("{}/palisade/app:1", open.addr), cache.path(), &[]);
    assert_eq!(package_set(&pulled), expected);
    assert_eq!(
        pulled["artifact"]["repo_digests"].as_array().unwrap().len(),
        1
    );
    // By digest, too.
    let digest = pulled["artifact"]["manifest_digest"]
        .as_str()
        .unwrap()
        .to_string();
    let by_digest = inventory(
        &format!("{}/palisade/app@{digest}", open.addr),
        cache.path(),
        &[],
    );
    assert_eq!(package_set(&by_digest), expected);

    let locked = Registry::start(Some(("alice", "s3cret-pw")));
    locked.push(&archive, "palisade/app:1", Some("alice:s3cret-pw"));
    let image = format!("{}/palisade/app:1", locked.addr);
    let denied = palisade(&["sbom", &image, "-f", "json"], cache.path());
    assert_eq!(denied.status.code(), Some(2), "anonymous pull must fail");
    assert!(!String::from_utf8_lossy(&denied.stderr).is_empty());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["sbom", &image, "-f", "json", "--username", "alice"])
        .env("PALISADE_REGISTRY_PASSWORD", "s3cret-pw")
        .env("PALISADE_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(package_set(&inv), expected);

    // Credentials from a Docker config file.
    let docker_config = tempfile::tempdir().unwrap();
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret-pw");
    std::fs::write(
        docker_config.path().join("config.json"),
        format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, locked.addr),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["sbom", &image, "-f", "json"])
        .env("DOCKER_CONFIG", docker_config.path())
        .env("PALISADE_CACHE_DIR", cache.path())
        .env_remove("PALISADE_REGISTRY_PASSWORD")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn inspect_shows_layers_and_history() {
    let images = images();
    let cache = tempfile::tempdir().unwrap();
    let out = palisade(
        &[
            "image",
            "inspect",
            &format!("oci:{}:1", images.join("app-oci").display()),
            "-f",
            "json",
        ],
        cache.path(),
    );
    assert!(out.status.success());
    let artifact: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let layers = artifact["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 3);
    assert!(layers[1]["created_by"].as_str().unwrap().contains("COPY"));
    assert!(layers
        .iter()
        .all(|l| l["digest"].as_str().unwrap().starts_with("sha256:")));
}
