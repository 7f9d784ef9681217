#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::catalog("rpm-sqlite", "var/lib/rpm/rpmdb.sqlite", data);
});
