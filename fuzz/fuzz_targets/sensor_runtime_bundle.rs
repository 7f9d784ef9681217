#![no_main]
//! A runtime's OCI bundle `config.json` (containerd/CRI, CRI-O, Podman annotations) and
//! containers/storage's `containers.json`, as the sensor's metadata lookup reads them.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    use palisade_sensor::metadata::{parse_bundle_config, parse_storage_entry};
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let id = "5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee5c0ffee0";
    if let Some(info) = parse_bundle_config(id, &v) {
        let _ = serde_json::to_string(&info);
    }
    let _ = parse_storage_entry(&v, id);
});
