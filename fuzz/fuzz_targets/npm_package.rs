#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::catalog("npm-package", "app/node_modules/pkg/package.json", data);
});
