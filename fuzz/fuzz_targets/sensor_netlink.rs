#![no_main]
//! Datagrams from the netlink process connector (the sensor's fallback collector): parse,
//! and re-encode what parsed (the encoding must parse back to the same messages).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    use palisade_sensor::netlink::{encode, parse};
    if let Ok(d) = parse(data) {
        let again = parse(&encode(&d.messages)).expect("re-encoded datagram parses");
        assert_eq!(again.messages, d.messages);
    }
});
