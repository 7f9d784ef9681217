#![no_main]
// A list file (`palisade db update`'s list feeds, the lists directory): parsed, loaded into
// the built-in audit rules, compiled, and one event evaluated against the CIDR lists.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = palisade_rules::listfile::parse(&text);
    let mut set = palisade_audit::builtin::builtin_ruleset();
    if set
        .add_list_file("fuzz.txt", "pal_tor_exit_nodes", &text)
        .is_ok()
    {
        let (engine, _) = set.compile(&palisade_audit::AuditFields);
        let line = br#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","user":{"username":"u"},"sourceIPs":["185.220.101.1","2001:db8::1"],"objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"code":200}}"#;
        if let Ok(ev) = palisade_audit::AuditEvent::from_slice(line) {
            let mut detector = palisade_audit::Detector::new(engine, None);
            let mut out = Vec::new();
            detector.analyze(&ev, &mut out);
        }
    }
});
