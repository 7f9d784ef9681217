#![no_main]
//! Ring buffer records from the kernel: decode, then run the decoded event through the
//! process table, the `syscall` fields and every built-in node rule.
use std::cell::RefCell;
use std::collections::HashMap;

use palisade_sensor::{builtin::builtin_engine, ContainerInfo, Detector, ProcessTable};

thread_local! {
    static DETECTOR: RefCell<Detector<HashMap<String, ContainerInfo>>> = RefCell::new(Detector::new(
        builtin_engine().0,
        ProcessTable::new(64, false),
        HashMap::new(),
        None,
    ));
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(ev) = palisade_sensor::decode(data) {
        let mut out = Vec::new();
        DETECTOR.with(|d| d.borrow_mut().process(&ev, &mut out));
        for a in &out {
            let _ = serde_json::to_string(a);
        }
    }
});
