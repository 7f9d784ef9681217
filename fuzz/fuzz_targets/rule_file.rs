#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut set = palisade_rules::RuleSet::new();
    set.add_file("fuzz.yaml", &text);
    let _ = set.compile(&palisade_audit::AuditFields);
});
