#![no_main]
//! The sensor's anomaly baseline file (baseline.json): parse; what parses serializes and
//! parses back to the same profiles.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    use palisade_sensor::Baseline;
    if let Ok(b) = Baseline::parse(data) {
        let text = b.to_json();
        let again = Baseline::parse(text.as_bytes()).expect("written baseline parses");
        assert_eq!(again.to_json(), text);
    }
});
