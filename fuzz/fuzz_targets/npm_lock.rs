#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::catalog("npm-lock", "app/package-lock.json", data);
});
