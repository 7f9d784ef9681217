#![no_main]
//! PEM key files (`report verify --key`, `image scan --sign`).
use palisade_report::keys::{PrivateKey, PublicKey};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = PublicKey::from_pem(text);
        let _ = PrivateKey::from_pem(text);
    }
});
