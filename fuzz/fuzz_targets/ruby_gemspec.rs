#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::catalog(
        "ruby-gemspec",
        "usr/lib/ruby/gems/3.1.0/specifications/pkg-1.0.gemspec",
        data,
    );
});
