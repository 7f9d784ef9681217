#![no_main]
// The dashboard's own parsers of untrusted input: the session cookie, a suppression rule's JSON
// body, list cursors.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_server::dashboard::fuzz_inputs(data);
});
