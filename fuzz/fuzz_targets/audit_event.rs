#![no_main]
use std::cell::RefCell;

use palisade_audit::{builtin::builtin_engine, decode_batch, AuditEvent, Detector};

thread_local! {
    static DETECTOR: RefCell<Detector> = RefCell::new(Detector::new(builtin_engine().0, Some("fuzz".into())));
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // As a log line: decode, then every built-in rule reads its fields from the event.
    if let Ok(event) = AuditEvent::from_slice(data) {
        DETECTOR.with(|d| {
            let mut alerts = Vec::new();
            d.borrow_mut().analyze(&event, &mut alerts);
            for a in &alerts {
                let _ = serde_json::to_string(a);
            }
        });
    }
    // As a webhook body (EventList).
    let _ = decode_batch(data);
});
