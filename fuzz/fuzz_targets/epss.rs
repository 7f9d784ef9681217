#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = palisade_vulndb::feed::epss::read_epss(data);
});
