#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::catalog("composer", "app/vendor/composer/installed.json", data);
});
