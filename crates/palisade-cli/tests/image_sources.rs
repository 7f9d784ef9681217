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
        format!("oci:{}:1", images.join("app-oci-zstd").display()),
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

/// Builds an OCI layout whose tag `multi` is an image index of two platforms: linux/amd64 is
/// the gzip image, linux/arm64 the zstd one (same packages, different manifest digests).
fn multi_arch_layout(dir: &std::path::Path) -> (String, String) {
    let images = images();
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let mut digests = Vec::new();
    for layout in ["app-oci", "app-oci-zstd"] {
        let src = images.join(layout);
        for entry in std::fs::read_dir(src.join("blobs/sha256")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), blobs.join(entry.file_name())).unwrap();
        }
        let index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(src.join("index.json")).unwrap()).unwrap();
        digests.push(index["manifests"][0].clone());
    }
    let entry = |d: &serde_json::Value, arch: &str| {
        serde_json::json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": d["digest"], "size": d["size"],
            "platform": {"os": "linux", "architecture": arch}
        })
    };
    let nested = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [entry(&digests[0], "amd64"), entry(&digests[1], "arm64")]
    }))
    .unwrap();
    use sha2::Digest;
    let nested_hex = hex::encode(sha2::Sha256::digest(&nested));
    std::fs::write(blobs.join(&nested_hex), &nested).unwrap();
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let top = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": format!("sha256:{nested_hex}"), "size": nested.len(),
            "annotations": {"org.opencontainers.image.ref.name": "multi"}
        }]
    });
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&top).unwrap()).unwrap();
    (
        digests[0]["digest"].as_str().unwrap().to_string(),
        digests[1]["digest"].as_str().unwrap().to_string(),
    )
}

#[test]
fn multi_arch_index_picks_the_requested_platform() {
    let layout = tempfile::tempdir().unwrap();
    let (amd64, arm64) = multi_arch_layout(layout.path());
    let cache = tempfile::tempdir().unwrap();
    let image = format!("oci:{}:multi", layout.path().display());
    let default = inventory(&image, cache.path(), &[]);
    assert_eq!(default["artifact"]["manifest_digest"], amd64.as_str());
    let arm = inventory(&image, cache.path(), &["--platform", "linux/arm64"]);
    assert_eq!(arm["artifact"]["manifest_digest"], arm64.as_str());
    assert_eq!(package_set(&arm), package_set(&default));
    let missing = palisade(&["sbom", &image, "--platform", "linux/s390x"], cache.path());
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("linux/s390x") && stderr.contains("linux/arm64"),
        "{stderr}"
    );

    // The same index pushed to a real registry.
    let registry = Registry::start(None);
    let out = std::process::Command::new("skopeo")
        .args(["copy", "-q", "--all", "--dest-tls-verify=false"])
        .arg(format!("oci:{}:multi", layout.path().display()))
        .arg(format!("docker://{}/palisade/multi:1", registry.addr))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let remote = format!("{}/palisade/multi:1", registry.addr);
    // skopeo may rewrite manifests while pushing (it reuses blobs it has already pushed), so
    // the registry's own index is the reference.
    let raw = std::process::Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .arg(format!("docker://{remote}"))
        .output()
        .unwrap();
    assert!(raw.status.success());
    let index: serde_json::Value = serde_json::from_slice(&raw.stdout).unwrap();
    let listed = |arch: &str| {
        index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["platform"]["architecture"] == arch)
            .unwrap()["digest"]
            .clone()
    };
    for arch in ["amd64", "arm64"] {
        let platform = format!("linux/{arch}");
        let pulled = inventory(&remote, cache.path(), &["--platform", &platform]);
        assert_eq!(
            pulled["artifact"]["manifest_digest"],
            listed(arch),
            "{arch}"
        );
        assert_eq!(package_set(&pulled), package_set(&default));
    }
}
