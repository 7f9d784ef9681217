#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    palisade_fuzz::catalog("dotnet-deps", "app/app.deps.json", data);
});
