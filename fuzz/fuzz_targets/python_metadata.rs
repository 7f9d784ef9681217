#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::catalog(
        "python",
        "usr/lib/python3/dist-packages/pkg-1.0.dist-info/METADATA",
        data,
    );
});
