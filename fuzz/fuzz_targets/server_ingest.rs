#![no_main]
// Every ingest decoder of the central server (alert JSON lines, scan reports, posture results,
// sensor heartbeats).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_server::decode::fuzz_all(data);
});
