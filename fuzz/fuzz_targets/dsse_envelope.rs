#![no_main]
//! A DSSE envelope checked against a fixed key: parsing, base64, key ids, signatures, and (for
//! the seeds, which that key signed) the in-toto statement inside.
use palisade_report::{intoto, keys::PublicKey};

/// The key of the seeds in fuzz/seeds/dsse_envelope/ (Ed25519 seed bytes 0..32).
const KEY: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAA6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=
-----END PUBLIC KEY-----
";

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let key = PublicKey::from_pem(KEY).expect("the fixed key parses");
    let _ = intoto::verify_report(data, &key);
});
