#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::version_compare(palisade_vulndb::version::Scheme::NuGet, data);
});
