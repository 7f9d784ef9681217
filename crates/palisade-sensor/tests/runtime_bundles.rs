//! Container metadata from a real OCI bundle: Docker (through containerd) writes one for
//! every running container below /run/docker/containerd/daemon/io.containerd.runtime.v2.task/
//! moby/<id>/config.json. The bundle lookup must find it by the container's id and read it
//! as an OCI runtime spec. Needs root and dockerd; never skips.

use std::process::Command;

use palisade_sensor::metadata::{parse_bundle_config, Bundles};

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().expect("docker");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn real_docker_bundle_is_found_and_parsed() {
    // The sensor tests' image, imported from the test rootfs when missing.
    let image = "palisade-test/sensor:1";
    let have = Command::new("docker")
        .args(["image", "inspect", image])
        .output()
        .expect("docker")
        .status
        .success();
    if !have {
        let dir = std::env::var_os("PALISADE_TEST_IMAGES")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-images")
            });
        let rootfs = dir.join("rootfs");
        assert!(
            rootfs.join("bin").exists(),
            "{} missing: run tests/images/build.sh",
            rootfs.display()
        );
        let ok = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "tar -C '{}' -c . | docker import - {image}",
                rootfs.display()
            ))
            .status()
            .unwrap()
            .success();
        assert!(ok, "docker import");
    }
    let name = format!("pal-bundle-{}", std::process::id());
    let id = docker(&["run", "-d", "--name", &name, image, "sleep", "30"]);
    struct Rm(String);
    impl Drop for Rm {
        fn drop(&mut self) {
            let _ = Command::new("docker").args(["rm", "-f", &self.0]).output();
        }
    }
    let _rm = Rm(name);
    let bundles = Bundles::system();
    let path = bundles
        .candidates(&id)
        .into_iter()
        .find(|p| p.exists())
        .expect("the container's bundle");
    assert!(
        path.ends_with(format!("moby/{id}/config.json")),
        "{}",
        path.display()
    );
    let config: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let info = parse_bundle_config(&id, &config).expect("an OCI runtime spec");
    assert_eq!(info.id, id);
    // Docker's bundle carries no runtime annotations: the id only, nothing invented.
    assert_eq!(info.metadata_source, Some("oci-bundle"));
    assert_eq!((info.name, info.image, info.pod_name), (None, None, None));
    assert_eq!(config["process"]["args"][0], "sleep");
    let found = bundles.lookup(&id).expect("lookup by id");
    assert_eq!(found.id, id);
}
