#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = palisade_vulndb::feed::debian_tracker::read_tracker(data);
});
