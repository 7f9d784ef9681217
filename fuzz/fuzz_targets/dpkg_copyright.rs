#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::catalog("dpkg-copyright", "usr/share/doc/pkg/copyright", data);
});
