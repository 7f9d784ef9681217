#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::catalog("rpm-ndb", "usr/lib/sysimage/rpm/Packages.db", data);
});
