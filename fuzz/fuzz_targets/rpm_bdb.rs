#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::catalog("rpm-bdb", "var/lib/rpm/Packages", data);
});
