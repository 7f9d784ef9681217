#![no_main]
//! Drift policy files (YAML allow lists): parse, then ask the policy about a container.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    use palisade_sensor::{ContainerInfo, DriftPolicy};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = DriftPolicy::parse("fuzz.yaml", text) {
        let c = ContainerInfo {
            image_repository: Some("ghcr.io/acme/agent".into()),
            image_digest: Some("sha256:abcd".into()),
            pod_namespace: Some("ci-1".into()),
            ..Default::default()
        };
        let _ = p.allows(Some(&c), Some("/opt/agent/bin/update"));
    }
});
