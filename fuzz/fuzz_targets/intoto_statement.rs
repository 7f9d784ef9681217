#![no_main]
//! An in-toto statement as `report verify` reads it from a verified envelope's payload.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = palisade_report::intoto::parse_statement(data);
});
