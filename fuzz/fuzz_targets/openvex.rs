#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = palisade_vulndb::suppress::parse_openvex(data, "fuzz");
});
