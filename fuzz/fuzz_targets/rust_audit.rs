#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::catalog("rust-audit", "usr/local/bin/app", data);
});
