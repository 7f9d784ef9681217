#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::catalog("dpkg-distroless", "var/lib/dpkg/status.d/base-files", data);
});
